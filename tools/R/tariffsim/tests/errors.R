# Checks that need no engine: files the package must refuse, made here with hdf5r. (Reading
# files the engine wrote is tested by tests/cli/test_r_package.py.)
library(tariffsim)
library(hdf5r)

refused <- function(expr, class, pattern) {
  e <- tryCatch({ expr; NULL }, error = function(e) e)
  stopifnot(!is.null(e), inherits(e, class), grepl(pattern, conditionMessage(e)))
}

dir <- tempfile("tariffsim")
dir.create(dir)
missing <- file.path(dir, "missing.h5")
refused(ts_open(missing), "tariffsim_format_error", "no such file")

text <- file.path(dir, "text.h5")
writeLines("not HDF5", text)
refused(ts_open(text), "tariffsim_format_error", "cannot be opened as an HDF5 file")

with_root <- function(name, format, version) {
  path <- file.path(dir, name)
  f <- H5File$new(path, mode = "w")
  h5attr(f, "format") <- format
  if (!is.null(version)) h5attr(f, "format_version") <- version
  f$close_all()
  path
}
major <- tariffsim:::SUPPORTED_MAJOR
refused(ts_open(with_root("foreign.h5", "netcdf", major)), "tariffsim_format_error",
        "not a tariffsim result file")
refused(ts_open(with_root("noversion.h5", "tariffsim", NULL)), "tariffsim_format_error",
        "'format_version' is missing")
newer <- sprintf("written by a newer tariffsim, format major %d; this reader reads major %d",
                 major + 1L, major)
refused(ts_open(with_root("newer1.h5", "tariffsim", major + 1L)), "tariffsim_format_error",
        "a single integer is format 1's")
refused(ts_open(with_root("newer2.h5", "tariffsim", c(major + 1L, 0L))), "tariffsim_format_error",
        newer)
refused(ts_open(with_root("older.h5", "tariffsim", major - 1L)), "tariffsim_format_error",
        "written by an older tariffsim")
refused(ts_open(with_root("three.h5", "tariffsim", c(1L, 2L, 3L))), "tariffsim_format_error",
        "expected an integer or a \\[major, minor\\] pair")
unlink(dir, recursive = TRUE)
