# References for Table 1's group tests and distributions (cohortd issue 10), R 4.2 + MASS.
# Run from this folder: Rscript group_tests.R  -> group_tests.json
suppressMessages({library(MASS); library(jsonlite)})
num <- function(x) if (length(x) == 0 || !is.finite(x)) NULL else unname(x)
# F upper tail pf(f, df1, df2, lower.tail = FALSE)
f_cases <- expand.grid(f = c(0.001, 0.02918, 0.5, 1, 3.4241, 7.5, 25, 120), df1 = c(1, 2, 3, 7), df2 = c(2, 5, 30, 226, 811, 5000))
f_upper <- lapply(seq_len(nrow(f_cases)), function(i) with(f_cases[i, ], list(f = f, df1 = df1, df2 = df2, p = pf(f, df1, df2, lower.tail = FALSE))))
# regularized incomplete beta pbeta(x, a, b) both tails
b_cases <- expand.grid(x = c(0.001, 0.1, 0.37, 0.5, 0.8, 0.999), a = c(0.5, 1, 2.5, 15, 400), b = c(0.5, 3, 40, 1000))
beta <- lapply(seq_len(nrow(b_cases)), function(i) with(b_cases[i, ], list(x = x, a = a, b = b, lower = pbeta(x, a, b), upper = pbeta(x, a, b, lower.tail = FALSE))))
# exact Wilcoxon distribution pwilcox(q, m, n)
w_cases <- list(c(3, 4, 5), c(10, 10, 20), c(10, 10, 50), c(49, 49, 600), c(49, 49, 1200), c(20, 35, 100), c(1, 5, 2), c(12, 3, 0))
wilcox <- lapply(w_cases, function(v) list(q = v[3], m = v[1], n = v[2], lower = pwilcox(v[3], v[1], v[2]), upper = pwilcox(v[3] - 1, v[1], v[2], lower.tail = FALSE)))
# tests on small data
set.seed(10)
x1 <- round(rnorm(12, 5, 2), 3); x2 <- round(rnorm(15, 6, 2), 3); x3 <- round(rnorm(9, 4, 1), 3)
tie1 <- c(1, 2, 2, 3, 3, 3, 4, 5); tie2 <- c(2, 3, 4, 4, 5, 6, 6, 7, 8)
wt <- function(a, b) { w <- suppressWarnings(wilcox.test(a, b)); list(x = a, y = b, statistic = unname(w$statistic), p = w$p.value) }
wilcoxon <- list(wt(x1, x2), wt(tie1, tie2), wt(x3, x1), wt(c(1.5, 2.5), c(0.5, 3.5, 4.5)))
big1 <- round(rnorm(60, 10, 3), 1); big2 <- round(rnorm(55, 11, 3), 1)
wilcoxon[[5]] <- wt(big1, big2)
g <- factor(rep(c("a", "b", "c"), c(12, 15, 9))); y <- c(x1, x2, x3)
an <- oneway.test(y ~ g, var.equal = TRUE); kw <- kruskal.test(y, g)
kt <- kruskal.test(c(tie1, tie2), factor(rep(c("a", "b"), c(8, 9))))
ksample <- list(values = y, groups = as.integer(g) - 1,
  anova = list(statistic = unname(an$statistic), df = unname(an$parameter), p = an$p.value),
  kruskal = list(statistic = unname(kw$statistic), df = unname(kw$parameter), p = kw$p.value),
  tie_values = c(tie1, tie2), tie_groups = rep(0:1, c(8, 9)),
  tie_kruskal = list(statistic = unname(kt$statistic), df = unname(kt$parameter), p = kt$p.value))
# contingency tables (row-major counts): chisq with and without Yates, fisher
tabs <- list(matrix(c(12, 5, 7, 9), 2, byrow = TRUE), matrix(c(3, 1, 1, 3), 2, byrow = TRUE),
  matrix(c(20, 15, 30, 25, 10, 12), 3, byrow = TRUE), matrix(c(2, 0, 5, 1, 3, 4, 0, 2, 1, 6, 2, 0), 4, byrow = TRUE),
  matrix(c(63 - 27, 27, 113 - 40, 40, 50 - 22, 22, 1, 0), 4, byrow = TRUE), matrix(c(5, 0, 3, 0), 2, byrow = TRUE),
  matrix(c(8, 2, 0, 1, 4, 6, 2, 0, 3), 3, byrow = TRUE))
# larger r x c tables for the pruned enumeration
tabs <- c(tabs, list(matrix(c(45, 30, 60, 52, 20, 31, 8, 14, 3, 9), 5, byrow = TRUE),
  matrix(c(5, 3, 6, 4, 5, 2, 3, 4, 5, 1, 2, 4, 1, 2, 3, 1), 4, byrow = TRUE),
  matrix(c(137, 90, 1, 0), 2, byrow = TRUE), matrix(c(300, 310, 280, 330, 12, 3), 3, byrow = TRUE)))
contingency <- lapply(tabs, function(t) {
  c1 <- suppressWarnings(chisq.test(t)); c0 <- suppressWarnings(chisq.test(t, correct = FALSE))
  list(rows = nrow(t), columns = ncol(t), counts = as.vector(t(t)),
       chisq_yates = num(c1$statistic), p_yates = num(c1$p.value), chisq = num(c0$statistic), p = num(c0$p.value),
       df = unname(c0$parameter), fisher = fisher.test(t, workspace = 2e7)$p.value)
})
# SMD (tableone 0.13 formula with MASS::ginv)
smd_cat <- function(c1, c2) {
  p1 <- c1 / sum(c1); p2 <- c2 / sum(c2)
  S <- function(p) { p <- p[-1]; diag(p, nrow = length(p)) - outer(p, p) }
  d <- (p1 - p2)[-1]
  sqrt(drop(t(d) %*% ginv((S(p1) + S(p2)) / 2) %*% d))
}
smd <- list(
  categorical = lapply(list(list(c(10, 20, 5), c(15, 10, 10)), list(c(30, 0, 10, 2), c(20, 0, 15, 1)), list(c(40, 60), c(55, 45)), list(c(1, 0, 0), c(3, 2, 1))),
    function(z) list(a = z[[1]], b = z[[2]], smd = smd_cat(z[[1]], z[[2]]))),
  continuous = list(x = x1, y = x2, smd = abs(mean(x1) - mean(x2)) / sqrt((var(x1) + var(x2)) / 2)))
out <- list(r_version = R.version.string, f_upper = f_upper, beta = beta, wilcox_distribution = wilcox,
  wilcoxon = wilcoxon, ksample = ksample, contingency = contingency, smd = smd)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = FALSE), "group_tests.json")
