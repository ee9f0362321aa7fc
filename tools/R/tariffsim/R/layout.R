# Opening a file and checking its layout before any column is read: a damaged or foreign file
# fails here with one error naming it, never with misaligned columns later.

# Datasets every result file has, of length n_points (engine/FORMAT.md).
REQUIRED <- c("points/index", "results/status", "status/done", "status/replications")

# Groups whose datasets are not one row per point: the dimension scales of format 2, and the
# Sobol indices of a [sensitivity] (format 2.2).
NOT_PER_POINT <- c("axes", "sensitivity")

# The file, read-only. A running tariffsim holds HDF5's write lock on its file; reading its
# finished points needs HDF5_USE_FILE_LOCKING=FALSE, which HDF5 reads once per process, at its
# first file open: so it is set here before the open, unless the user set it.
ts_open_hdf5 <- function(path, allow_incomplete) {
  if (!file.exists(path)) ts_format_error(sprintf("%s: no such file", path))
  if (allow_incomplete && !nzchar(Sys.getenv("HDF5_USE_FILE_LOCKING")))
    Sys.setenv(HDF5_USE_FILE_LOCKING = "FALSE")
  tryCatch(H5File$new(path, mode = "r"), error = function(e) {
    message <- conditionMessage(e)
    if (grepl("unable to lock", message, ignore.case = TRUE)) ts_lock_error(path, allow_incomplete)
    ts_format_error(sprintf("%s: cannot be opened as an HDF5 file: %s", path,
                            ts_hdf5_cause(message)))
  })
}

ts_lock_error <- function(path, allow_incomplete) {
  if (!allow_incomplete)
    ts_format_error(sprintf(paste("%s: is being written (HDF5 file lock held by a running",
                                  "tariffsim?); use ts_open(path, allow_incomplete = TRUE) to",
                                  "read its finished points"), path))
  ts_format_error(sprintf(paste("%s: is being written, and HDF5 in this R session locks files",
                                "(it read HDF5_USE_FILE_LOCKING at its first file open, before",
                                "it was FALSE): start R with HDF5_USE_FILE_LOCKING=FALSE in the",
                                "environment to read a running file"), path))
}

ts_int_attr <- function(obj, name, path) {
  value <- if (obj$attr_exists(name)) h5attr(obj, name) else NULL
  if (inherits(value, "integer64")) value <- as.double(value)
  if (is.null(value) || length(value) != 1 || !is.numeric(value) || value != round(value))
    ts_format_error(sprintf("%s: attribute '%s' is missing or not an integer", path, name))
  value
}

# The experiment group: the only group at the root, or the one named.
ts_experiment <- function(f, path, experiment) {
  listing <- f$ls()
  groups <- listing$name[listing$obj_type == "H5I_GROUP"]
  if (!is.null(experiment)) {
    if (!experiment %in% groups) ts_not_found(path, "experiment", experiment, groups)
    return(f[[experiment]])
  }
  if (length(groups) != 1)
    ts_format_error(sprintf(paste("%s: expected one experiment group at the root, found %d (%s);",
                                  "pass experiment ="),
                            path, length(groups), paste(groups, collapse = ", ")))
  f[[groups]]
}

# The required datasets exist, every per-point dataset has n_points rows, and `complete` agrees
# with status/done. Returns n_points.
ts_check_layout <- function(g, path) {
  n <- ts_int_attr(g, "n_points", path)
  complete <- ts_int_attr(g, "complete", path)
  for (name in REQUIRED)
    if (!g$exists(name)) ts_format_error(sprintf("%s: dataset %s is missing", path, name))
  listing <- g$ls(recursive = TRUE)
  # Each output keeps its value (`mean`) in format 1 and 2 alike; the other statistics vary.
  outputs <- listing$name[listing$obj_type == "H5I_GROUP" & grepl("^results/[^/]+$", listing$name)]
  for (group in outputs)
    if (!g$exists(paste0(group, "/mean")))
      ts_format_error(sprintf("%s: dataset %s/mean is missing", path, group))
  for (i in which(listing$obj_type == "H5I_DATASET")) {
    name <- listing$name[i]
    if (sub("/.*", "", name) %in% NOT_PER_POINT) next
    dims <- g[[name]]$dims  # hdf5r lists dimensions fastest first: rows are the last
    rows <- if (length(dims) == 0) NA else dims[length(dims)]
    if (is.na(rows) || rows != n)
      ts_format_error(sprintf("%s: dataset %s has %s rows, expected %s (n_points)", path, name,
                              rows, format(n, scientific = FALSE)))
  }
  done <- g[["status/done"]]$read()
  if (complete == 1 && !all(done == 1))
    ts_format_error(sprintf("%s: marked complete but only %d of %s points are done (status/done)",
                            path, sum(done == 1), format(n, scientific = FALSE)))
  n
}

# What a ts_* function was given: a ts_open() object, or a path (read complete files only).
ts_spec <- function(x) {
  if (inherits(x, "tariffsim_file")) return(x)
  if (!is.character(x) || length(x) != 1)
    stop("expected a file path or the result of ts_open()", call. = FALSE)
  list(path = x, allow_incomplete = FALSE, experiment = NULL)
}

# Opens the file, checks format, layout and completeness, and calls fun(h) with
# h = list(f, g, path, version, n, done): the checks run on every call, as a running file
# changes between calls. The file is closed on the way out.
ts_with_file <- function(x, fun) {
  spec <- ts_spec(x)
  path <- spec$path
  f <- ts_open_hdf5(path, spec$allow_incomplete)
  on.exit(f$close_all())
  ts_reading(path, {
    version <- ts_check_format(f, path)
    g <- ts_experiment(f, path, spec$experiment)
    n <- ts_check_layout(g, path)
    done <- which(g[["status/done"]]$read() == 1) - 1
    if (!spec$allow_incomplete && h5attr(g, "complete") != 1)
      ts_format_error(sprintf(paste("%s: experiment '%s' is incomplete (%d/%s points done);",
                                    "use ts_open(path, allow_incomplete = TRUE) to read the",
                                    "finished points"),
                              path, sub("^/", "", g$get_obj_name()), length(done),
                              format(n, scientific = FALSE)))
    fun(list(f = f, g = g, path = path, version = version, n = n, done = done))
  })
}
