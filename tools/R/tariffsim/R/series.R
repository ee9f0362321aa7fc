# Per-replication arrays as long data.frames: series/<name> [point, replication, period] and
# replications/<metric> [point, replication]. hdf5r returns them with the dimensions reversed
# ([period, replication, point]); the frames here name every axis, so no order is implied.

# Point labels (design indices, 0-based as in points/index) to read: the finished points, or
# those asked, each of which must be finished.
ts_point_labels <- function(h, points) {
  if (is.null(points)) return(h$done)
  points <- as.integer(points)
  bad <- points[is.na(points) | points < 0 | points >= h$n]
  if (length(bad))
    ts_stop("tariffsim_not_found", sprintf("%s: no point %s (points are 0 to %s)", h$path,
                                           paste(bad, collapse = ", "), h$n - 1))
  waiting <- setdiff(points, h$done)
  if (length(waiting))
    ts_stop("tariffsim_not_found", sprintf("%s: point(s) %s not done yet (%d of %s done)",
                                           h$path, paste(utils::head(waiting, 10), collapse = ", "),
                                           length(h$done), h$n))
  points
}

# 0-based indices along an axis of length n: all of them, or those asked.
ts_axis_labels <- function(h, values, n, axis) {
  if (is.null(values)) return(seq_len(n) - 1L)
  values <- as.integer(values)
  if (any(is.na(values) | values < 0 | values >= n))
    ts_stop("tariffsim_not_found", sprintf("%s: %s indices run from 0 to %d", h$path, axis, n - 1))
  values
}

# The long frame of dataset `ds` with axes `axes` (file order, e.g. point, replication, period),
# at the 0-based labels `labels`; only the replications each point ran are kept (the rest of a
# row is the dataset's NaN fill value, not a result).
ts_long <- function(h, ds, axes, labels, name) {
  args <- rev(lapply(labels, function(l) l + 1))  # hdf5r indexes in reversed order, from 1
  value <- ds$read(args = args, drop = FALSE)
  grid <- expand.grid(rev(labels), KEEP.OUT.ATTRS = FALSE)  # first axis varies fastest
  names(grid) <- rev(axes)
  cols <- c(as.list(grid[axes]), list(value = as.vector(value)))
  ran <- ts_read(h$g[["status/replications"]])
  keep <- cols$replication < ran[cols$point + 1]
  cols <- lapply(cols, function(col) col[keep])
  units <- c(stats::setNames(as.list(rep("", length(axes))), axes), value = ts_unit(ds))
  descs <- c(stats::setNames(as.list(paste(axes, "index (from 0)")), axes),
             value = ts_description(ds))
  do.call(ts_frame, c(list(cols, units, descs), ts_attrs(h), list(name = name)))
}

ts_series <- function(x, name, points = NULL, replications = NULL, periods = NULL) {
  ts_with_file(x, function(h) {
    kept <- if (h$g$exists("series")) names(h$g[["series"]]) else character(0)
    if (!name %in% kept)
      ts_not_found(h$path, "series", name, kept, "keep one with [output] series = [...]")
    ds <- h$g[["series"]][[name]]
    dims <- rev(ds$dims)  # file order: point, replication, period
    labels <- list(ts_point_labels(h, points),
                   ts_axis_labels(h, replications, dims[2], "replication"),
                   ts_axis_labels(h, periods, dims[3], "period"))
    ts_long(h, ds, c("point", "replication", "period"), labels, name)
  })
}

ts_replications <- function(x, metric, points = NULL, replications = NULL) {
  ts_with_file(x, function(h) {
    kept <- if (h$g$exists("replications")) names(h$g[["replications"]]) else character(0)
    if (!metric %in% kept)
      ts_not_found(h$path, "per-replication metric", metric, kept,
                   "keep them with [output] replications = true")
    ds <- h$g[["replications"]][[metric]]
    labels <- list(ts_point_labels(h, points),
                   ts_axis_labels(h, replications, rev(ds$dims)[2], "replication"))
    ts_long(h, ds, c("point", "replication"), labels, metric)
  })
}
