# Edge cases of Table 1 between groups (cohortd issue 10): a declared level with no rows, a
# constant variable, a variable missing in a whole group, a category level that never occurs,
# rows with `by` missing, and the exact Wilcoxon test. R errors where a test or SMD cannot be
# computed (oneway.test: "not enough groups", ginv of NaN); those become NULL here, which is
# cohortd's null with a reason. Run from this folder: Rscript make_desc_edge.R
outdir <- "."
source("../v2/refs_v2_lib.R")
desc_test_r <- desc_test
desc_test <- function(...) tryCatch(suppressWarnings(desc_test_r(...)), error = function(e) NULL)
smd_pair_r <- smd_pair
smd_pair <- function(...) tryCatch(smd_pair_r(...), error = function(e) NA_real_)
L <- function(...) arr(c(...))

set.seed(20261202)
n <- 40
d <- data.frame(
  time = round(runif(n, 1, 100), 1), event = rbinom(n, 1, 0.5),
  arm3 = sample(c("A", "B"), n, replace = TRUE),
  arm2 = "P",
  arm2b = rep(c("E", "F"), c(18, 22)),
  age = round(rnorm(n, 60, 10), 2),
  const = 5,
  site = sample(c("x", "y"), n, replace = TRUE, prob = c(0.7, 0.3)),
  grade = sample(c("g1", "g2"), n, replace = TRUE),
  stringsAsFactors = FALSE)
d$arm3[c(3, 17)] <- NA
d$half <- ifelse(d$arm3 == "B" & !is.na(d$arm3), NA, round(rnorm(n, 3, 1), 2))
cols <- list(time = "number", event = bool01, arm3 = cat_col(c("A", "B", "C")), arm2 = cat_col(c("P", "Q")),
  arm2b = cat_col(c("E", "F")), age = "number", const = "number", site = cat_col(c("x", "y", "z")),
  grade = cat_col(c("g1", "g2")), half = "number")
d <- start_case("desc_edge", "simulated, seed 20261202: arm3 level C empty, arm2 level Q empty, const constant, half missing in arm3 B, site level z absent", d, cols)
vars <- c("age", "const", "half", "site", "grade")
add("edge_ezr3", "descriptives", list(variables = L(vars), by = "arm3", tests = "ezr", nonnormal = L("half"), smd = TRUE, missing = "ifany"),
    "3 declared groups, C empty: chisq on a table with an empty column (NaN); anova/kruskal drop C", descriptives(d, cols, vars, "arm3", "ezr", "half"))
add("edge_gts3", "descriptives", list(variables = L(vars), by = "arm3", tests = "gtsummary", smd = TRUE, missing = "always"),
    "3 declared groups, C empty: kruskal; fisher (expected 0)", descriptives(d, cols, vars, "arm3", "gtsummary"))
add("edge_ezr2", "descriptives", list(variables = L(vars), by = "arm2", tests = "ezr", smd = TRUE, missing = "ifany"),
    "2 declared groups, Q empty: fisher p = 1 (R); anova not estimable", descriptives(d, cols, vars, "arm2", "ezr"))
add("edge_gts2", "descriptives", list(variables = L(vars), by = "arm2", tests = "gtsummary", smd = TRUE, missing = "ifany"),
    "2 declared groups, Q empty: wilcox.test not estimable", descriptives(d, cols, vars, "arm2", "gtsummary"))
add("edge_exact", "descriptives", list(variables = L("age", "grade", "site"), by = "arm2b", tests = "gtsummary", smd = TRUE),
    "wilcox.test exact (18 and 22 values, no ties); fisher 2 x 2 / 3 x 2", descriptives(d, cols, c("age", "grade", "site"), "arm2b", "gtsummary"))
finish_case()
