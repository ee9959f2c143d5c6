# Reference values for CoxStrataZPHTests (Tests/CohortStatisticsTests/CoxStrataZPHTests.swift):
# coxph with strata (efron, breslow), cox.zph(transform = "km", terms = TRUE), the Wald and
# likelihood-ratio tests of a 3-level factor, the stratified concordance.
# Run from this folder: Rscript cox_zph.R  (writes cox_zph.json). Needs survival >= 3, jsonlite.
library(survival); library(jsonlite)
set.seed(20261202)
n <- 120
x <- round(rnorm(n, 60, 10), 1)
g <- sample(c("a", "b", "c"), n, replace = TRUE, prob = c(0.4, 0.35, 0.25))
s <- sample(c("s1", "s2", "s3"), n, replace = TRUE)
lp <- 0.03 * (x - 60) + ifelse(g == "b", 0.5, ifelse(g == "c", -0.4, 0))
t0 <- rexp(n, 0.1 * exp(lp))
cens <- runif(n, 2, 25)
time <- pmax(1, round(pmin(t0, cens)))          # whole days: many ties
event <- as.integer(t0 <= cens)
# one subject alone in stratum "s4" (contributes nothing to the partial likelihood)
s[n] <- "s4"
d <- data.frame(time, event, x, g = factor(g, levels = c("a", "b", "c")), s = factor(s))
# the same data with a missing stratum (rows 3, 17, 40) and a missing x (rows 5, 60, 99): complete cases
dm <- d; dm$s[c(3, 17, 40)] <- NA; dm$x[c(5, 60, 99)] <- NA
case <- function(name, formula, ties, strata, d = get("d", globalenv())) {
  d <- d[complete.cases(d[, c("time", "event", "x", "g", if (strata) "s")]), ]
  environment(formula) <- environment()        # cox.zph re-reads `d` from the formula's environment
  m <- coxph(formula, data = d, ties = ties)
  z <- cox.zph(m, transform = "km", terms = TRUE)$table
  j <- m$assign[["g"]]
  b <- coef(m)[j]
  wald <- drop(t(b) %*% solve(vcov(m)[j, j]) %*% b)
  rest <- if (strata) Surv(time, event) ~ x + strata(s) else Surv(time, event) ~ x
  m0 <- coxph(rest, data = d, ties = ties)
  lr <- 2 * (m$loglik[2] - m0$loglik[2])
  list(name = name, ties = ties, strata = strata,
       coef = unname(coef(m)), se = unname(sqrt(diag(vcov(m)))), loglik = m$loglik,
       concordance = unname(m$concordance["concordance"]),
       zph_terms = lapply(rownames(z)[rownames(z) != "GLOBAL"], function(r) list(term = r, chisq = z[r, "chisq"], df = z[r, "df"], p = z[r, "p"])),
       zph_global = list(chisq = z["GLOBAL", "chisq"], df = z["GLOBAL", "df"], p = z["GLOBAL", "p"]),
       wald = list(chisq = wald, df = length(j), p = pchisq(wald, length(j), lower.tail = FALSE)),
       lr = list(chisq = lr, df = length(j), p = pchisq(lr, length(j), lower.tail = FALSE)))
}
out <- list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival"))),
  data = list(time = d$time, event = d$event, x = d$x, g = as.character(d$g), s = as.character(d$s)),
  missing = list(s = c(3, 17, 40), x = c(5, 60, 99)),
  cases = list(
    case("efron", Surv(time, event) ~ x + g, "efron", FALSE),
    case("breslow", Surv(time, event) ~ x + g, "breslow", FALSE),
    case("efron_strata", Surv(time, event) ~ x + g + strata(s), "efron", TRUE),
    case("breslow_strata", Surv(time, event) ~ x + g + strata(s), "breslow", TRUE),
    case("efron_strata_missing", Surv(time, event) ~ x + g + strata(s), "efron", TRUE, dm)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "cox_zph.json")
