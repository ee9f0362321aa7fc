# The format check, in one place: the format name and the major version, read before anything
# else (engine/FORMAT.md). The supported major is the one constant to change with the format.

FORMAT <- "tariffsim"

# The format major version this package reads. Files of another major are refused.
SUPPORTED_MAJOR <- 2L

# Which release reads the files of an older major, for the refusal message.
READ_BY <- c("1" = "tariffsim 0.1.0 (git commit 123c85f and earlier; its tools/R/tariffsim_reader.R)")

# c(major, minor) from `format_version`: the integer of format 1 (minor NA) or the
# [major, minor] integer pair of format 2 and later.
ts_parse_version <- function(value, path) {
  if (!is.numeric(value) || !length(value) %in% 1:2 || any(is.na(value)) ||
      any(value != round(value)))
    ts_format_error(sprintf(paste("%s: attribute 'format_version' is %s: expected an integer",
                                  "or a [major, minor] pair of integers"),
                            path, paste(format(value), collapse = " ")))
  # Only format 1 wrote a single integer; from format 2 on it is always [major, minor].
  if (length(value) == 1 && value != 1)
    ts_format_error(sprintf(paste("%s: attribute 'format_version' is %s: a single integer is",
                                  "format 1's; later formats write [major, minor]"),
                            path, format(value)))
  c(as.integer(value[1]), if (length(value) == 2) as.integer(value[2]) else NA_integer_)
}

# Refuses a file that is not tariffsim's or not of SUPPORTED_MAJOR; returns c(major, minor).
ts_check_format <- function(f, path) {
  name <- if (f$attr_exists("format")) h5attr(f, "format") else NULL
  if (!is.character(name) || length(name) != 1 || name != FORMAT)
    ts_format_error(sprintf("%s: not a tariffsim result file (format attribute is %s)", path,
                            if (is.null(name)) "missing" else
                              paste0("'", paste(name, collapse = " "), "'")))
  if (!f$attr_exists("format_version"))
    ts_format_error(sprintf("%s: attribute 'format_version' is missing", path))
  version <- ts_parse_version(h5attr(f, "format_version"), path)
  major <- version[1]
  if (major > SUPPORTED_MAJOR)
    ts_format_error(sprintf(paste("%s: written by a newer tariffsim, format major %d; this reader",
                                  "reads major %d: update the tariffsim package"),
                            path, major, SUPPORTED_MAJOR))
  if (major < SUPPORTED_MAJOR) {
    reader <- READ_BY[as.character(major)]
    where <- if (is.na(reader)) "no release of this package reads it" else
      paste("read it with", reader)
    ts_format_error(sprintf(paste("%s: written by an older tariffsim, format major %d; this reader",
                                  "reads major %d: %s, or rerun the experiment"),
                            path, major, SUPPORTED_MAJOR, where))
  }
  version
}
