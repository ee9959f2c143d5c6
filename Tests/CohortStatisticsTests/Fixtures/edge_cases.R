# Reference values for hand-made edge cases (R survival + pROC), written to edge_cases.json.
# Usage: Rscript edge_cases.R OUT.json
# edge_cases.json was written with R 4.2.2, survival 3.5.3, pROC 1.18.0, jsonlite 1.8.4.
suppressMessages({library(survival); library(pROC); library(jsonlite)})
out <- commandArgs(trailingOnly = TRUE)[1]
num <- function(x) if (length(x) == 0 || is.na(x)) NULL else unname(x)
vec <- function(x) lapply(x, num)

# One curve's reference: the step table (summary(fit, censored = TRUE)), the median with its CI
# (summary(fit)$table), and summary(fit, times) for the requested times up to the last observation.
# summary() works on survfit0(fit), which puts a row with S = 1, std.err 0 and limits 1 and 1 (for
# every conf.type) at time 0 ahead of a curve whose first observation is later.
kmref <- function(fit, st, k = NULL) {
  tab <- summary(fit, censored = TRUE); med <- summary(fit)$table
  if (!is.null(k)) {
    med <- med[k, ]
    tab <- lapply(unclass(tab)[c("time", "n.risk", "n.event", "n.censor", "surv", "std.err", "lower", "upper")],
                  function(x) x[as.integer(tab$strata) == k])
    st <- lapply(unclass(st)[c("time", "n.risk", "n.event", "surv", "std.err", "lower", "upper")],
                 function(x) x[as.integer(st$strata) == k])
  }
  list(median = list(estimate = num(med[["median"]]), lower = num(med[["0.95LCL"]]), upper = num(med[["0.95UCL"]])),
       table = list(time = tab$time, n_risk = tab$n.risk, n_event = tab$n.event, n_censor = tab$n.censor,
                    survival = tab$surv, std_err = vec(tab$std.err), lower = vec(tab$lower), upper = vec(tab$upper)),
       at_times = list(time = st$time, n_risk = st$n.risk, n_event = st$n.event, survival = st$surv,
                       std_err = vec(st$std.err), lower = vec(st$lower), upper = vec(st$upper)))
}
km <- function(time, event, conf_type = "log-log", times = numeric(0)) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = conf_type)
  tt <- times[times <= max(fit$time)]
  st <- if (length(tt)) summary(fit, times = tt, extend = FALSE) else list(time = numeric(0))
  c(list(time = time, event = event, conf_type = conf_type, times = times), kmref(fit, st),
    list(reverse_median = num(summary(survfit(Surv(time, 1 - event) ~ 1))$table[["median"]])))
}
# Strata fitted together (survfit(Surv(time, event) ~ group)); each stratum's reference as km()'s.
# Every stratum must have a requested time up to its last observation (summary() stops otherwise).
km_strata <- function(time, event, group, conf_type, times) {
  fit <- survfit(Surv(time, event) ~ group, conf.type = conf_type)
  st <- summary(fit, times = times, extend = FALSE)
  list(time = time, event = event, group = group, conf_type = conf_type, times = times,
       strata = lapply(seq_along(fit$strata), function(k) kmref(fit, st, k)))
}
lr <- function(time, event, group, rho = 0, strata = NULL) {
  sd <- if (is.null(strata)) survdiff(Surv(time, event) ~ group, rho = rho)
        else survdiff(Surv(time, event) ~ group + strata(strata), rho = rho)
  o <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  e <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  df <- sum(e > 0) - 1
  list(time = time, event = event, group = group, strata = strata, rho = rho,
       n = unname(as.vector(sd$n)), observed = unname(o), expected = unname(e), chisq = sd$chisq, df = df,
       p = pchisq(sd$chisq, df, lower.tail = FALSE))
}
rocref <- function(x, y) {
  r <- roc(y, x, direction = "auto", quiet = TRUE, levels = c(0, 1))
  b <- coords(r, "best", best.method = "youden", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  t <- coords(r, "best", best.method = "closest.topleft", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  ci <- suppressWarnings(ci.auc(r, method = "delong"))
  list(x = x, y = y, direction = r$direction, auc = as.numeric(r$auc), auc_ci = vec(c(ci[1], ci[3])),
       thresholds = r$thresholds, sensitivities = r$sensitivities, specificities = r$specificities,
       youden = list(threshold = b$threshold, sensitivity = b$sensitivity, specificity = b$specificity),
       topleft = list(threshold = t$threshold, sensitivity = t$sensitivity, specificity = t$specificity))
}
coxref <- function(time, event, x, ties, factor_levels = NULL) {
  d <- data.frame(time = time, event = event, x = x)
  if (!is.null(factor_levels)) d$x <- factor(d$x, levels = factor_levels)
  w <- NULL
  m <- withCallingHandlers(coxph(Surv(time, event) ~ x, data = d, ties = ties),
                           warning = function(cnd) { w <<- conditionMessage(cnd); invokeRestart("muffleWarning") })
  s <- summary(m)
  list(time = time, event = event, x = x, ties = ties, coef = unname(coef(m)), se = unname(sqrt(diag(m$var))),
       p = unname(s$coefficients[, "Pr(>|z|)"]), loglik = m$loglik, iter = m$iter,
       concordance = unname(m$concordance["concordance"]), warning = w)
}

set.seed(20261127)
t1 <- c(0, 0, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 8, 8, 9)
e1 <- c(1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0)
g1 <- c(0, 1, 0, 1, 1, 0, 2, 2, 0, 1, 2, 0, 1, 2, 1)
s1 <- c(0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1)
half_t <- c(1, 2, 3, 4, 5, 6); half_e <- c(1, 1, 1, 0, 1, 0)   # S = 0.5 from t = 3 until 5
# S = 1 (contract version 2, survfit_confint): censorings at 1 and 2 before the first death at 3.
# At those observed times plain and log give limits 1 and 1, log-log NA; at requested times before
# the first observation (0, 0.5) summary() gives 1 and 1 for every type.
lead_t <- c(1, 2, 2, 3, 4, 5, 6, 7, 8, 9); lead_e <- c(0, 0, 0, 1, 0, 1, 1, 0, 1, 0)
lead_times <- c(0, 0.5, 1, 1.5, 2, 2.5, 3, 8.5, 9, 12)
# Censorings at time 0: survfit0 inserts no row, so a time before 0 takes the time-0 row (log-log NA).
zero_t <- c(0, 0, 1, 2, 3, 3); zero_e <- c(0, 0, 1, 0, 1, 0); zero_times <- c(-1, 0, 0.5, 3)
# Strata: the second starts later (censored at 5, first death at 6) than the first ends (3).
strata_t <- c(1, 2, 3, 5, 5, 6, 7, 8); strata_e <- c(1, 0, 1, 0, 0, 1, 0, 1); strata_g <- c(1, 1, 1, 2, 2, 2, 2, 2)
strata_times <- c(0, 2, 4.5, 5, 5.5, 7.5)
xr <- round(runif(40, 0, 10)); yr <- rbinom(40, 1, 0.4)
ref <- list(
  qnorm = list(p = c(1e-300, 1e-20, 1e-10, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12),
               q = qnorm(c(1e-300, 1e-20, 1e-10, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12))),
  pnorm_upper = list(z = c(-3, -0.5, 0, 0.5, 1.96, 5, 10, 30), p = pnorm(c(-3, -0.5, 0, 0.5, 1.96, 5, 10, 30), lower.tail = FALSE)),
  pchisq = lapply(list(c(0.5, 1), c(3.84, 1), c(50, 1), c(1e-8, 1), c(2, 2), c(7.81, 3), c(0.3, 3), c(21.96, 3),
                       c(100, 4), c(9, 5), c(4.5, 5), c(30, 7), c(15, 10), c(400, 10), c(11.3, 2.5), c(1, 0.5), c(300, 250), c(200, 250)),
                  function(a) list(x = a[1], df = a[2], p = pchisq(a[1], a[2], lower.tail = FALSE))),
  km_ties = km(t1, e1, "log-log", c(0, 2, 2.5, 9, 10)),
  km_ties_log = km(t1, e1, "log", c(0, 2, 2.5, 9)),
  km_ties_plain = km(t1, e1, "plain", c(0, 2, 2.5, 9)),
  km_half = km(half_t, half_e, "log-log", c(3, 4)),
  km_all_censored = km(c(2, 3, 5, 7), c(0, 0, 0, 0), "log-log", c(1, 4)),
  km_all_dead = km(c(1, 2, 2, 4), c(1, 1, 1, 1), "plain", c(3, 4)),
  km_single = km(3, 1, "log", c(1, 3)),
  km_all_censored_log = km(c(2, 3, 5, 7), c(0, 0, 0, 0), "log", c(1, 4)),
  km_all_censored_plain = km(c(2, 3, 5, 7), c(0, 0, 0, 0), "plain", c(1, 4)),
  km_leading_censored_plain = km(lead_t, lead_e, "plain", lead_times),
  km_leading_censored_log = km(lead_t, lead_e, "log", lead_times),
  km_leading_censored_loglog = km(lead_t, lead_e, "log-log", lead_times),
  km_censored_at_zero_plain = km(zero_t, zero_e, "plain", zero_times),
  km_censored_at_zero_log = km(zero_t, zero_e, "log", zero_times),
  km_censored_at_zero_loglog = km(zero_t, zero_e, "log-log", zero_times),
  km_event_at_zero_loglog = km(t1, e1, "log-log", c(-1, 0, 0.5)),
  km_strata_plain = km_strata(strata_t, strata_e, strata_g, "plain", strata_times),
  km_strata_log = km_strata(strata_t, strata_e, strata_g, "log", strata_times),
  km_strata_loglog = km_strata(strata_t, strata_e, strata_g, "log-log", strata_times),
  logrank_ties = lr(t1, e1, g1),
  peto_ties = lr(t1, e1, g1, rho = 1),
  logrank_strata = lr(t1, e1, g1 %% 2, strata = s1),
  logrank_single_subject_group = lr(c(1, 2, 3, 4, 5, 6, 7), c(1, 0, 1, 1, 0, 1, 1), c(0, 0, 0, 1, 1, 1, 2)),
  roc_ties = rocref(xr, yr),
  roc_separated = rocref(c(1, 2, 3, 4, 10, 11, 12), c(0, 0, 0, 0, 1, 1, 1)),
  roc_reversed = rocref(c(1, 2, 3, 4, 10, 11, 12), c(1, 1, 0, 1, 0, 0, 0)),
  cox_breslow = coxref(t1, e1, c(1.5, 2, 0.3, 4, 2.2, 1, 0.5, 3, 2.8, 1.1, 0.9, 2.5, 3.3, 0.1, 1.7), "breslow"),
  cox_efron = coxref(t1, e1, c(1.5, 2, 0.3, 4, 2.2, 1, 0.5, 3, 2.8, 1.1, 0.9, 2.5, 3.3, 0.1, 1.7), "efron"),
  cox_factor = coxref(t1, e1, c("a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"), "efron", c("a", "b", "c")),
  cox_separated = coxref(c(1, 2, 3, 4, 5, 6, 7, 8), c(1, 1, 1, 1, 0, 0, 1, 0), c(1, 1, 1, 1, 0, 0, 0, 0), "efron")
)
write(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE), out)
