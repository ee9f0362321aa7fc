# The package's two kinds of error, as conditions a caller can catch by class:
# tariffsim_format_error (the file cannot be read: foreign, other major version, damaged,
# incomplete) and tariffsim_not_found (a name the file does not hold; the message lists what
# it holds and the closest name). Both inherit tariffsim_error.

ts_stop <- function(class, message) {
  stop(structure(class = c(class, "tariffsim_error", "error", "condition"),
                 list(message = message, call = NULL)))
}

ts_format_error <- function(message) ts_stop("tariffsim_format_error", message)

# "no <kind> 'x'; it has 'a', 'b'; did you mean 'a'?" for a name the file does not hold.
ts_not_found <- function(path, kind, name, existing, hint = "") {
  message <- sprintf("%s: no %s '%s'; ", path, kind, name)
  message <- paste0(message, if (length(existing)) {
    paste0("it has ", paste0("'", existing, "'", collapse = ", "))
  } else {
    paste("it has no", kind)
  })
  close <- ts_closest(name, existing)
  if (!is.null(close)) message <- paste0(message, sprintf("; did you mean '%s'?", close))
  if (nzchar(hint)) message <- paste0(message, " (", hint, ")")
  ts_stop("tariffsim_not_found", message)
}

# The existing name nearest to `name` by edit distance, if near enough to be a typo.
ts_closest <- function(name, existing) {
  if (!length(existing)) return(NULL)
  d <- adist(name, existing, ignore.case = TRUE)[1, ]
  best <- which.min(d)
  if (d[best] <= max(2, nchar(name) %/% 3)) existing[best] else NULL
}

# hdf5r's message carries HDF5's whole error stack; its innermost entry ("error #k: ... in f():
# line n: cause") says what went wrong.
ts_hdf5_cause <- function(message) {
  entries <- grep("error #[0-9]+:", strsplit(message, "\n", fixed = TRUE)[[1]], value = TRUE)
  if (length(entries) == 0) return(message)
  sub(".*: line [0-9]+: ", "", entries[length(entries)])
}

# Evaluates `expr`; hdf5r's errors about a damaged file become one format error naming it.
ts_reading <- function(path, expr) {
  tryCatch(expr, error = function(e) {
    if (inherits(e, "tariffsim_error")) stop(e)
    ts_format_error(sprintf(paste("%s: cannot be read as a tariffsim result file",
                                  "(damaged or truncated?): %s"),
                            path, ts_hdf5_cause(conditionMessage(e))))
  })
}
