# Edge cases of cmprsk::cuminc (the cumulative incidence, its variance, Gray's test) and of
# cmprsk::timepoints, for CumulativeIncidenceEdgeTests and CumulativeIncidencePipelineTests.
# Run: Rscript make_cmprsk_edge.R   (writes cmprsk_edge.json and one CSV per case next to it)
#
# Each CSV has the columns time (17 significant digits), cause (0 = censored, 1..K), status (the
# cause as a level name: censored, relapse, death, other) and group ("" = missing).
# cmprsk_edge.json: per case the cuminc step vectors exactly as cuminc returns them (both corners
# of each step), timepoints() at the case's times (NA -> null) with EZR's 95% limits, and Tests (stat, pv, df; stat -1
# where crstm's variance is singular, as cuminc reports it). Every number has 17 significant
# digits (jsonlite alone writes at most 15).
suppressMessages({library(cmprsk); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else "."

labels <- c("censored", "relapse", "death", "other")

# A JSON number (or array of numbers) with 17 significant digits; NA -> null.
n17 <- function(x) {
  s <- ifelse(is.na(x), "null", sprintf("%.17g", x))
  structure(if (length(x) == 1) s else paste0("[", paste(s, collapse = ","), "]"), class = "json")
}
n17v <- function(x) structure(paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]"),
                              class = "json")

# EZR's 95% limits of a cumulative incidence (as the contract states them): F^exp(-+z se/(F log F));
# NA where F is 0 or 1 (0/0) or NA.
ezr_limits <- function(est, var, sign) {
  z <- qnorm(1 - (1 - 0.95) / 2)
  ok <- !is.na(est) & est > 0 & est < 1
  out <- rep(NA_real_, length(est))
  spread <- z * sqrt(var[ok]) / (est[ok] * log(est[ok]))   # < 0: sign -1 gives the lower limit
  out[ok] <- est[ok]^exp(sign * spread)
  out
}

write_case_csv <- function(name, time, cause, group) {
  lines <- c("time,cause,status,group",
             sprintf("%s,%d,%s,%s", sprintf("%.17g", time), as.integer(cause), labels[cause + 1],
                     ifelse(is.na(group), "", group)))
  writeLines(lines, file.path(out_dir, paste0(name, ".csv")))
}

one_case <- function(name, time, cause, group = NULL, times, rho = 0, cause_count = max(cause), note = "") {
  stopifnot(all(cause >= 0), all(cause <= 3), length(time) == length(cause))
  has_group <- !is.null(group)
  g <- if (has_group) group else rep("all", length(time))
  write_case_csv(name, time, cause, if (has_group) group else rep("all", length(time)))
  keep <- !is.na(g)
  # cuminc(ftime, fstatus, group, rho, cencode = 0); rows with group NA are dropped by na.omit
  fit <- if (has_group) cuminc(time, cause, g, rho = rho, cencode = 0) else cuminc(time, cause, rho = rho, cencode = 0)
  tp <- timepoints(fit, times)
  curve_names <- names(fit)[names(fit) != "Tests"]
  groups <- sort(unique(g[keep]))
  curves <- lapply(curve_names, function(nm) {
    z <- fit[[nm]]
    parts <- strsplit(nm, " ")[[1]]
    list(name = nm, group = if (has_group) parts[1] else "all", cause = as.integer(parts[2]),
         time = n17v(z$time), est = n17v(z$est), var = n17v(z$var),
         at_est = n17v(tp$est[nm, ]), at_var = n17v(tp$var[nm, ]),
         at_lower = n17v(ezr_limits(tp$est[nm, ], tp$var[nm, ], -1)),
         at_upper = n17v(ezr_limits(tp$est[nm, ], tp$var[nm, ], 1)))
  })
  tests <- NULL
  if (!is.null(fit$Tests)) {
    tt <- fit$Tests
    tests <- lapply(seq_len(nrow(tt)), function(i)
      list(cause = as.integer(rownames(tt)[i]), stat = n17(tt[i, "stat"]), pv = n17(tt[i, "pv"]), df = tt[i, "df"]))
  }
  list(name = name, note = note, csv = paste0(name, ".csv"), rho = n17(rho), cause_count = cause_count,
       grouped = has_group, groups = I(groups), times = n17v(sort(unique(times))), curves = curves, tests = tests)
}

set.seed(20240611)
cases <- list()

# 1. The cause of interest and a competing cause at the same times (and both in several groups).
cases[[length(cases) + 1]] <- one_case(
  "cif_tied_causes",
  time = c(2, 2, 2, 3, 5, 5, 5, 7, 8, 8, 2, 2, 4, 4, 4, 6, 9, 9, 1, 2, 2, 3, 3, 3),
  cause = c(1, 2, 1, 0, 2, 1, 0, 1, 2, 1, 2, 2, 1, 2, 1, 0, 1, 2, 0, 1, 2, 1, 2, 2),
  group = c(rep("a", 10), rep("b", 8), rep("c", 6)),
  times = c(-1, 0, 1, 2, 2.5, 5, 8, 9, 10), note = "events of two causes tied at one time")

# 2. Censorings tied with events (censored at t are at risk at t).
cases[[length(cases) + 1]] <- one_case(
  "cif_tied_censoring",
  time = c(1, 1, 1, 3, 3, 3, 3, 6, 6, 6, 2, 2, 3, 3, 5, 5, 5, 6),
  cause = c(0, 1, 2, 0, 0, 1, 2, 1, 0, 0, 1, 0, 0, 2, 1, 1, 0, 0),
  group = c(rep("a", 10), rep("b", 8)),
  times = c(0, 1, 3, 4, 6, 7), note = "censorings at event times")

# 3. Events (and a censoring) at time 0.
cases[[length(cases) + 1]] <- one_case(
  "cif_time_zero",
  time = c(0, 0, 0, 1, 2, 4, 4, 5, 0, 3, 3, 6, 7, 7),
  cause = c(1, 2, 0, 1, 0, 1, 2, 0, 1, 1, 2, 0, 1, 0),
  group = c(rep("a", 8), rep("b", 6)),
  times = c(-0.5, 0, 0.5, 4, 5, 7, 8), note = "events at time 0")

# 4. A group with one patient (an event of the cause), another with one censored patient.
cases[[length(cases) + 1]] <- one_case(
  "cif_single_patient",
  time = c(1, 2, 3, 4, 5, 6, 7, 8, 4, 6, 2.5),
  cause = c(1, 2, 1, 0, 1, 2, 0, 1, 1, 0, 2),
  group = c(rep("a", 8), "b", "c", "d"),
  times = c(0, 2.5, 4, 6, 8, 9), note = "groups of one patient")

# 5. A group whose patients all have the cause (F reaches 1), with the last failures tied; a group
#    failing all at once from two causes (the event-free KM reaches 0 at a tied time).
cases[[length(cases) + 1]] <- one_case(
  "cif_reaches_one",
  time = c(1, 2, 3, 4, 4, 1, 2, 3, 5, 6, 8, 9, 3, 3, 3),
  cause = c(1, 1, 1, 1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 1, 2),
  group = c(rep("a", 5), rep("b", 7), rep("c", 3)),
  times = c(0, 3, 4, 5, 9, 10), note = "F reaches 1; everyone fails at one time")

# 6. Cause 2 occurs in one group only; cause 3 nowhere (declared as a level, cuminc omits it).
n6 <- 60
g6 <- rep(c("a", "b", "c"), each = n6 / 3)
t6 <- round(rexp(n6, 0.1), 1)
c6 <- sample(c(0, 1), n6, replace = TRUE, prob = c(0.4, 0.6))
c6[g6 == "b" & runif(n6) < 0.4] <- 2
cases[[length(cases) + 1]] <- one_case(
  "cif_cause_in_one_group", time = t6, cause = c6, group = g6, cause_count = 3,
  times = c(0, 5, 10, 20, max(t6), max(t6) + 1), note = "a cause with events in one group only")

# 7. All events of the cause happen when one group alone is still at risk: score 0, variance 0.
cases[[length(cases) + 1]] <- one_case(
  "cif_singular",
  time = c(1, 2, 3, 10, 11, 12, 1, 2, 3),
  cause = c(2, 0, 2, 1, 1, 0, 2, 0, 0),
  group = c(rep("a", 6), rep("b", 3)),
  times = c(0, 3, 10, 12), note = "Gray's variance is singular (cuminc: stat -1)")

# 8. rho = 1 and rho = 0.5 on a moderate data set with ties.
n8 <- 300
g8 <- sample(c("a", "b", "c"), n8, replace = TRUE)
t8 <- pmax(0, round(rweibull(n8, 1.3, 20 + 10 * (g8 == "b"))))
c8 <- sample(0:2, n8, replace = TRUE, prob = c(0.3, 0.45, 0.25))
cases[[length(cases) + 1]] <- one_case("cif_rho1", t8, c8, g8, rho = 1, times = c(0, 10, 20, 40), note = "rho = 1")
cases[[length(cases) + 1]] <- one_case("cif_rho_half", t8, c8, g8, rho = 0.5, times = c(10, 40), note = "rho = 0.5")

# 9. 3 causes x 5 groups, n = 2000, integer times (many ties), some groups missing (NA).
n9 <- 2000
g9 <- sample(c("g1", "g2", "g3", "g4", "g5"), n9, replace = TRUE, prob = c(0.3, 0.25, 0.2, 0.15, 0.1))
lam <- c(g1 = 0.02, g2 = 0.025, g3 = 0.03, g4 = 0.02, g5 = 0.04)[g9]
t9 <- floor(rexp(n9, lam))
c9 <- sample(0:3, n9, replace = TRUE, prob = c(0.25, 0.35, 0.25, 0.15))
c9[g9 == "g5" & c9 == 3 & runif(n9) < 0.5] <- 1
g9[sample(n9, 25)] <- NA
cases[[length(cases) + 1]] <- one_case(
  "cif_random_3x5", t9, c9, g9, times = c(0, 1, 10, 25, 50, 100, 200, max(t9), max(t9) + 1),
  note = "3 causes x 5 groups, n = 2000, integer times, 25 groups missing")

# 10. Large times (around 1e9, not integers), with ties.
n10 <- 200
g10 <- sample(c("a", "b"), n10, replace = TRUE)
t10 <- 1e9 + round(runif(n10, 0, 1e6)) * 0.25 + 1 / 3
t10 <- as.numeric(sprintf("%.17g", t10))
t10[1:20] <- t10[21:40]
c10 <- sample(0:2, n10, replace = TRUE)
cases[[length(cases) + 1]] <- one_case(
  "cif_large_times", t10, c10, g10, times = c(0, 1e9, sort(t10)[c(10, 100)], max(t10), max(t10) * 2),
  note = "times around 1e9")

# 11. No group: one curve per cause, no Tests.
n11 <- 80
t11 <- round(rexp(n11, 0.05))
c11 <- sample(0:2, n11, replace = TRUE)
cases[[length(cases) + 1]] <- one_case(
  "cif_ungrouped", t11, c11, NULL, times = c(0, min(t11[c11 == 1]), 30, max(t11), max(t11) + 0.5),
  note = "no group")

# 12. A strong group effect: Gray's p far below 1e-16 (1 - pchisq gives 0) and one near 1e-10.
n12 <- 800
g12 <- rep(c("a", "b"), each = n12 / 2)
t12 <- round(rexp(n12, 0.05), 2)
c12 <- ifelse(g12 == "a", sample(0:2, n12, TRUE, c(0.2, 0.7, 0.1)), sample(0:2, n12, TRUE, c(0.2, 0.1, 0.7)))
cases[[length(cases) + 1]] <- one_case("cif_strong_effect", t12, c12, g12, times = c(10), note = "p below 1e-16")
n13 <- 400
g13 <- rep(c("a", "b"), each = n13 / 2)
t13 <- round(rexp(n13, 0.05), 2)
c13 <- ifelse(g13 == "a", sample(0:2, n13, TRUE, c(0.2, 0.55, 0.25)), sample(0:2, n13, TRUE, c(0.2, 0.25, 0.55)))
cases[[length(cases) + 1]] <- one_case("cif_moderate_effect", t13, c13, g13, times = c(10), note = "small p")

# 14. A one-patient group at risk at a single event time among 10,000 patients: its score variance
#     is ~1e-4 against ~1e3 for the large groups (ratio below 1e-7). qr() in cuminc still has full
#     rank (it compares each column with its own norm), so cuminc reports a statistic.
n14 <- 10000
g14 <- c("a", rep(c("b", "c"), each = n14 / 2))
t14 <- c(1.5, round(runif(n14, 1, 1000), 3))
t14[2] <- 1
c14 <- c(0, sample(1:2, n14, replace = TRUE, prob = c(0.6, 0.4)))
c14[2] <- 1
t14[3:n14] <- pmax(t14[3:n14], 1.6)
cases[[length(cases) + 1]] <- one_case(
  "cif_tiny_variance_group", t14, c14, g14, times = c(1, 1.5, 500),
  note = "one group's score variance below 1e-7 x the largest")

# 15. The F = 1 case with rho = 1 (Gray's weight (1 - F(t-))^rho).
cases[[length(cases) + 1]] <- one_case(
  "cif_reaches_one_rho1",
  time = c(1, 2, 3, 4, 4, 1, 2, 3, 5, 6, 8, 9, 3, 3, 3),
  cause = c(1, 1, 1, 1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 1, 2),
  group = c(rep("a", 5), rep("b", 7), rep("c", 3)), rho = 1,
  times = c(0, 4, 9), note = "F reaches 1, rho = 1")

# 16. Twelve groups (an 11 x 11 variance), small groups among them.
n16 <- 600
g16 <- sprintf("k%02d", sample(1:12, n16, replace = TRUE, prob = c(rep(1, 10), 0.05, 0.1)))
t16 <- round(rexp(n16, 0.03 + 0.002 * as.integer(substr(g16, 2, 3))))
c16 <- sample(0:2, n16, replace = TRUE, prob = c(0.3, 0.4, 0.3))
cases[[length(cases) + 1]] <- one_case("cif_twelve_groups", t16, c16, g16, times = c(5, 30), note = "12 groups")

out <- list(r_version = R.version.string, cmprsk = as.character(packageVersion("cmprsk")), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, json_verbatim = TRUE, null = "null", pretty = FALSE),
           file.path(out_dir, "cmprsk_edge.json"))

# Round trip: the JSON must hold R's doubles exactly.
back <- fromJSON(file.path(out_dir, "cmprsk_edge.json"), simplifyVector = FALSE)
for (k in seq_along(cases)) {
  name <- cases[[k]]$name
  stopifnot(back$cases[[k]]$name == name)
}
cat("wrote", length(cases), "cases to", out_dir, "\n")
