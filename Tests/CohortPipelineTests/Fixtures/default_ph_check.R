# The cox.zph p-values MethodChecksPipelineTests cites (the default PH check on lung).
# Run from the repository root: Rscript Tests/CohortPipelineTests/Fixtures/default_ph_check.R
# R 4.2.2, survival 3.5-3. Output:
#   ph_karno 0.008171405087
#   age 0.5563181637
library(survival)
d <- read.csv("Tests/CohortPipelineTests/Fixtures/v2/lung.csv", na.strings = "")
for (v in c("ph_karno", "age")) {
  f <- coxph(as.formula(paste("Surv(time, event) ~", v)), data = d, ties = "efron")
  z <- cox.zph(f, transform = "km", terms = TRUE)
  cat(v, format(z$table[v, "p"], digits = 10), "\n")
}
