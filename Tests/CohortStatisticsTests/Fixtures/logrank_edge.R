# Edge cases of survdiff's df and of chisq = 0, and signif() at the ends of the double range.
# Run: Rscript logrank_edge.R  (writes logrank_edge.json next to it)
suppressMessages({library(survival); library(jsonlite)})
num <- function(x) if (length(x) == 0 || is.na(x) || !is.finite(x)) NULL else unname(x)

one_case <- function(name, time, event, group, levels) {
  d <- data.frame(time = time, event = event, g = factor(group, levels = levels))
  s <- survdiff(Surv(time, event) ~ g, data = d)
  pr <- combn(length(levels), 2)
  pairs <- lapply(seq_len(ncol(pr)), function(i) {
    sel <- d$g %in% levels[pr[, i]]
    if (sum(d$event[sel]) == 0) return(list(a = pr[1, i] - 1, b = pr[2, i] - 1, chisq = NULL, p = NULL, survdiff_p = NULL))
    s2 <- survdiff(Surv(time, event) ~ droplevels(g), data = d[sel, ])
    # refs_v2_lib.R logrank_test: pchisq(s2$chisq, 1, lower.tail = FALSE)
    list(a = pr[1, i] - 1, b = pr[2, i] - 1, chisq = s2$chisq, p = pchisq(s2$chisq, 1, lower.tail = FALSE),
         survdiff_p = num(s2$pvalue))
  })
  list(name = name, time = time, event = event, group = match(group, levels) - 1, k = length(levels),
       chisq = s$chisq, df = sum(s$exp > 0) - 1, p = num(s$pvalue), expected = unname(s$exp), pairs = pairs)
}

cases <- list(
  # group 2 is censored before the first event: E = 0, so survdiff's df is 1, not 2
  one_case("expected_zero", c(5, 6, 7, 8, 9, 10, 11, 12, 1, 2), c(1, 0, 1, 1, 0, 1, 1, 0, 0, 0),
           c("a", "b", "a", "b", "a", "b", "a", "b", "c", "c"), c("a", "b", "c")),
  # only one group has expected events: chisq 0 on 0 df, p = 1 (events exist)
  one_case("one_expected", c(5, 6, 7, 8, 1, 2), c(1, 0, 1, 1, 0, 0), c("a", "a", "a", "a", "c", "c"), c("a", "c")),
  # three groups, the first pair without any event (survdiff's p is NaN: not estimable)
  one_case("pair_without_events", c(1, 2, 3, 4, 5, 6, 7, 8, 9), c(0, 0, 0, 0, 1, 1, 0, 0, 0),
           c("a", "b", "a", "b", "c", "c", "c", "a", "b"), c("a", "b", "c"))
)

x <- c(1.23456e-300, 1.23456e-305, 9.87654e-307, 5.55555e-308, 1.23456e-310, 4.9406564584124654e-324,
       2.5e-320, 9.87654e307, 1.79e308, 1.234567e306, 3.456789e-306, 1.0049999e-299, 0.0001234567,
       123456.789, 1.2345e-200)
signif_digits <- c(1, 3, 5, 15)
# as "%.17g" strings: jsonlite writes at most 15 significant digits, and the test is to the bit
bits <- function(v) sprintf("%.17g", v)
signif_rows <- lapply(signif_digits, function(dg) list(digits = dg, x = bits(x), rounded = bits(signif(x, dg))))

out <- list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
            cases = cases, signif = signif_rows)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"), "logrank_edge.json")
