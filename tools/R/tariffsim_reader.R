# Read tariffsim result files (HDF5, format version 2; engine/FORMAT.md) into an R data.frame.
#
#   source("tools/R/tariffsim_reader.R")
#   df <- read_tariffsim("results/quickstart.h5")              # parameters + metric means
#   df <- read_tariffsim(path, stats = c("mean", "se"))        # adds <metric>_se columns
#
# The mean of a metric is its column (for a point-level metric, a closed form, its value); other
# statistics exist for replication-level metrics only. Checks the format name and major version
# (format_version = [major, minor]) first, then that every dataset has one row per point, and
# refuses incomplete files unless allow_incomplete = TRUE. Any file it cannot read (foreign, newer,
# truncated, damaged) stops with an error naming the file and what is wrong.
library(hdf5r)

# hdf5r's own errors about a damaged file, as one error naming the file.
tariffsim_reading <- function(path, expr) {
  tryCatch(expr, error = function(e) {
    if (inherits(e, "tariffsim_format_error")) stop(e)
    tariffsim_stop(sprintf("%s: cannot be read as a tariffsim result file (damaged or truncated?): %s",
                           path, tariffsim_hdf5_cause(conditionMessage(e))))
  })
}

# hdf5r's message carries HDF5's whole error stack; its innermost entry ("error #k: ... in f():
# line n: cause") says what went wrong, as the engine's messages do.
tariffsim_hdf5_cause <- function(message) {
  entries <- grep("error #[0-9]+:", strsplit(message, "\n", fixed = TRUE)[[1]], value = TRUE)
  if (length(entries) == 0) return(message)
  sub(".*: line [0-9]+: ", "", entries[length(entries)])
}

tariffsim_stop <- function(message) {
  stop(structure(class = c("tariffsim_format_error", "error", "condition"),
                 list(message = message, call = NULL)))
}

tariffsim_int_attr <- function(obj, name, path) {
  value <- if (obj$attr_exists(name)) h5attr(obj, name) else NULL
  if (is.null(value) || length(value) != 1 || !is.numeric(value) || value != round(value))
    tariffsim_stop(sprintf("%s: attribute '%s' is missing or not an integer", path, name))
  value
}

tariffsim_check_format <- function(f, path) {
  fmt <- if (f$attr_exists("format")) h5attr(f, "format") else ""
  if (!is.character(fmt) || length(fmt) != 1 || fmt != "tariffsim")
    tariffsim_stop(sprintf("%s: not a tariffsim result file (format attribute is '%s')", path,
                           paste(fmt, collapse = " ")))
  version <- if (f$attr_exists("format_version")) h5attr(f, "format_version") else NULL
  if (is.null(version) || !is.numeric(version) || !(length(version) %in% c(1, 2)) ||
      any(version != round(version)))
    tariffsim_stop(sprintf("%s: attribute 'format_version' is missing or not [major, minor] integers",
                           path))
  if (length(version) == 1 && version == 1)
    tariffsim_stop(sprintf(paste("%s: is of format version 1, which this reader (format version 2)",
                                 "does not read; read it with tools/R/tariffsim_reader.R of",
                                 "tariffsim 0.1.0 (git commit 123c85f and earlier)"), path))
  if (length(version) != 2 || version[1] < 2)
    tariffsim_stop(sprintf("%s: format_version %s is not supported (this reader reads version 2)",
                           path, paste(format(version, scientific = FALSE), collapse = ".")))
  if (version[1] > 2)
    tariffsim_stop(sprintf(paste("%s: written by a newer tariffsim (format_version %s);",
                                 "this reader reads version 2: update the reader"), path,
                           paste(format(version, scientific = FALSE), collapse = ".")))
}

# Every dataset has n_points rows and the required ones exist.
tariffsim_check_layout <- function(g, path) {
  n <- tariffsim_int_attr(g, "n_points", path)
  tariffsim_int_attr(g, "complete", path)
  for (name in c("points/index", "results/status", "status/done", "status/replications"))
    if (!g$exists(name)) tariffsim_stop(sprintf("%s: dataset %s is missing", path, name))
  listing <- g$ls(recursive = TRUE, detailed = TRUE)
  # axes/ holds the replication, period and quantile scales, not rows of points.
  for (i in which(listing$obj_type == "H5I_DATASET" & !startsWith(listing$name, "axes/"))) {
    dims <- g[[listing$name[i]]]$dims  # hdf5r reports dimensions fastest first: rows are last
    rows <- if (length(dims) == 0) NA else dims[length(dims)]
    if (is.na(rows) || rows != n)
      tariffsim_stop(sprintf("%s: dataset %s has %s rows, expected %s (n_points)", path,
                             listing$name[i], rows, format(n, scientific = FALSE)))
  }
}

read_tariffsim <- function(path, experiment = NULL, stats = "mean", allow_incomplete = FALSE) {
  if (!file.exists(path)) tariffsim_stop(sprintf("%s: no such file", path))
  f <- tariffsim_reading(path, H5File$new(path, mode = "r"))
  on.exit(f$close_all())
  tariffsim_reading(path, {
    tariffsim_check_format(f, path)
    groups <- names(f)
    if (is.null(experiment)) {
      if (length(groups) != 1)
        tariffsim_stop(sprintf("%s: holds experiments %s; pass experiment =", path,
                               paste(groups, collapse = ", ")))
      experiment <- groups[1]
    }
    g <- f[[experiment]]
    tariffsim_check_layout(g, path)
    if (!allow_incomplete && h5attr(g, "complete") != 1)
      tariffsim_stop(sprintf("%s: experiment '%s' is incomplete; pass allow_incomplete = TRUE",
                             path, experiment))
    points <- g[["points"]]
    df <- data.frame(index = points[["index"]][])
    for (p in setdiff(names(points), "index")) df[[p]] <- points[[p]][]
    results <- g[["results"]]
    for (m in names(results)) {
      if (m == "status") next
      point_level <- h5attr(results[[m]], "level") == "point"
      for (s in stats) {
        if (s != "mean" && point_level) next  # a point-level metric stores its value alone
        df[[if (s == "mean") m else paste0(m, "_", s)]] <- results[[m]][[s]][]
      }
    }
    df$status <- results[["status"]][]
    if (allow_incomplete) df <- df[g[["status/done"]][] == 1, , drop = FALSE]
    df
  })
}
