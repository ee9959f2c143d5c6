# References for the version-2 log-rank additions (strata, pairwise, trend), p.adjust / signif
# and the paired DeLong test, on small deterministic data sets with the edge cases of issue 10.
# Run: Rscript group_tests_v2.R   (writes group_tests_v2.json next to this file)
# R 4.2.2, survival 3.5-3, pROC 1.18.0. The definitions follow shared/reference/v2/refs_v2_lib.R.
suppressMessages({library(survival); library(pROC); library(jsonlite)})
num <- function(x) if (length(x) == 0 || is.na(x) || !is.finite(x)) NULL else unname(x)
nums <- function(x) lapply(unname(x), num)

# --- p.adjust and signif -------------------------------------------------------------------
p <- c(0.01, 0.04, 0.04, 0.2, NA, 0.03, 0.5)
adjust <- lapply(c("bonferroni", "holm", "BH"), function(m) list(method = m, p = nums(p), adjusted = nums(p.adjust(p, m, n = length(p)))))
sx <- c(0.0012345, 0.998272353134257, 0.1235, 0.12345, 2.5e-5, 0.5555, 0.9995, 123456, 0.0629909490512577,
        0.720121649897581, 1.5e-300, 0.000104999999999)
# as "%.17g" strings too: jsonlite writes 15 significant digits, and the test is to the bit
signif3 <- list(x = sx, rounded = signif(sx, 3), x_bits = sprintf("%.17g", sx), rounded_bits = sprintf("%.17g", signif(sx, 3)))

# --- log-rank: 4 groups, 2 stratum columns ---------------------------------------------------
set.seed(20261202)
n <- 60
g <- factor(sample(c("A", "B", "C", "D"), n, replace = TRUE, prob = c(0.3, 0.3, 0.25, 0.15)), levels = c("A", "B", "C", "D"))
time <- round(rexp(n, rate = c(A = 0.05, B = 0.08, C = 0.12, D = 0.03)[as.character(g)]), 1) + 0.5
event <- rbinom(n, 1, 0.75)
event[g == "D"] <- 0                                   # a group without events
s1 <- sample(c("x", "y"), n, replace = TRUE)
s2 <- sample(c("u", "v"), n, replace = TRUE)
s1[1] <- "z"; s2[1] <- "u"                             # stratum z.u has one subject
d <- data.frame(time, event, g, s1, s2)

lr <- function(dd, strata, rho) {
  x <- data.frame(time = dd$time, event = dd$event, g = droplevels(dd$g))
  if (length(strata)) { x$s <- interaction(dd[, strata, drop = FALSE], drop = TRUE)
    return(survdiff(Surv(time, event) ~ g + strata(s), data = x, rho = rho)) }
  survdiff(Surv(time, event) ~ g, data = x, rho = rho)
}
lr_case <- function(strata, rho, adjust, ezr) {
  sd <- lr(d, strata, rho)
  lv <- levels(d$g)
  O <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  E <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  pr <- combn(length(lv), 2)
  pairs <- lapply(seq_len(ncol(pr)), function(i) {
    sel <- d$g %in% lv[pr[, i]]
    s2 <- lr(d[sel, ], strata, rho)
    list(a = lv[pr[1, i]], b = lv[pr[2, i]], chisq = s2$chisq, p = pchisq(s2$chisq, 1, lower.tail = FALSE))
  })
  raw <- sapply(pairs, `[[`, "p")
  adj <- p.adjust(if (ezr) signif(raw, 3) else raw, method = adjust, n = length(raw))
  for (i in seq_along(pairs)) pairs[[i]]$p_adjusted <- adj[i]
  w <- seq_along(lv)
  tchisq <- drop((w %*% (O - E))^2 / (w %*% sd$var %*% w))
  list(strata = I(strata), rho = rho, adjust = adjust, ezr = ezr, chisq = sd$chisq,
       p = pchisq(sd$chisq, length(lv) - 1, lower.tail = FALSE),
       n = unname(as.vector(sd$n)), observed = unname(O), expected = unname(E),
       pairs = pairs, trend = list(chisq = tchisq, p = pchisq(tchisq, 1, lower.tail = FALSE)))
}
logrank <- list(
  data = list(time = d$time, event = d$event, group = as.character(d$g), s1 = d$s1, s2 = d$s2, levels = levels(d$g)),
  cases = list(lr_case(character(0), 0, "holm", FALSE), lr_case(c("s1", "s2"), 0, "BH", TRUE),
               lr_case("s1", 1, "bonferroni", FALSE)))

# --- paired DeLong --------------------------------------------------------------------------
set.seed(7)
m <- 80
y <- rbinom(m, 1, 0.4)
xa <- round(rnorm(m, mean = y * 0.8), 1)               # ties, direction "<"
xb <- round(rnorm(m, mean = -y * 0.5) * 2) / 2         # many ties, direction ">"
xc <- round(rnorm(m, mean = y * 0.3), 1)               # direction "<"
delong <- lapply(list(c("xa", "xb"), c("xa", "xc"), c("xc", "xb")), function(ab) {
  x1 <- get(ab[1]); x2 <- get(ab[2])
  r1 <- roc(y, x1, direction = "auto", quiet = TRUE, levels = c(0, 1))
  r2 <- roc(y, x2, direction = "auto", quiet = TRUE, levels = c(0, 1))
  t <- suppressWarnings(roc.test(r1, r2, method = "delong", paired = TRUE))
  list(a = ab[1], b = ab[2], direction_a = r1$direction, direction_b = r2$direction,
       auc_a = as.numeric(r1$auc), auc_b = as.numeric(r2$auc), z = unname(t$statistic), p = t$p.value,
       lower = t$conf.int[1], upper = t$conf.int[2])
})
out <- list(r_version = R.version.string, adjust = adjust, signif3 = signif3, logrank = logrank,
            delong = list(y = y == 1, xa = xa, xb = xb, xc = xc, tests = delong))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null"), file.path(here, "group_tests_v2.json"))
