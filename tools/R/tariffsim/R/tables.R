# The tables: the design, statistics over replications, stored quantiles.

# The statistics of format 1 and 2, in the order they are listed; which a metric has is read
# from the file (format 2 keeps only `mean` for point-level outputs).
STAT_ORDER <- c("mean", "sd", "se", "n", "min", "max", "q")

ts_metric_names <- function(g) {
  listing <- g[["results"]]$ls()
  listing$name[listing$obj_type == "H5I_GROUP"]
}

ts_metric_group <- function(h, metric) {
  metrics <- ts_metric_names(h$g)
  if (!metric %in% metrics) ts_not_found(h$path, "metric", metric, metrics)
  h$g[["results"]][[metric]]
}

ts_stats_of <- function(group) {
  present <- names(group)
  c(intersect(STAT_ORDER, present), setdiff(present, STAT_ORDER))
}

# Column `point`, and the parameters if asked, at the finished rows: list(cols, units, descs).
ts_design <- function(h, parameters) {
  rows <- h$done + 1
  index <- h$g[["points/index"]]
  cols <- list(point = ts_as_integer(ts_read(index)[rows]))
  units <- list(point = ts_unit(index))
  descs <- list(point = ts_description(index))
  if (parameters) {
    points <- h$g[["points"]]
    for (name in setdiff(names(points), "index")) {
      ds <- points[[name]]
      cols[[name]] <- ts_parameter(ds, rows)
      units[[name]] <- ts_unit(ds)
      descs[[name]] <- ts_description(ds)
    }
  }
  list(cols = cols, units = units, descs = descs)
}

ts_attrs <- function(h) {
  list(path = h$path, experiment = sub("^/", "", h$g$get_obj_name()),
       model = h5attr(h$g, "model"))
}

ts_make <- function(h, d, ...) {
  do.call(ts_frame, c(list(d$cols, d$units, d$descs), ts_attrs(h), list(...)))
}

ts_points <- function(x) {
  ts_with_file(x, function(h) ts_make(h, ts_design(h, TRUE)))
}

ts_statistics <- function(x, metric) {
  ts_with_file(x, function(h) ts_stats_of(ts_metric_group(h, metric)))
}

ts_results <- function(x, stat = "mean", metrics = NULL, parameters = TRUE) {
  ts_with_file(x, function(h) {
    if ("q" %in% stat)
      ts_stop("tariffsim_not_found", sprintf(paste("%s: quantiles are [point, quantile] arrays:",
                                                   "read them with ts_quantiles(x, metric)"),
                                             h$path))
    chosen <- if (is.null(metrics)) ts_metric_names(h$g) else metrics
    d <- ts_design(h, parameters)
    for (s in stat) d <- ts_add_stat(h, d, s, chosen, !is.null(metrics))
    status <- h$g[["results/status"]]
    d$cols$status <- ts_read(status)[h$done + 1]
    d$units$status <- ts_unit(status)
    d$descs$status <- ts_description(status)
    codes <- stats::setNames(as.character(h5attr(status, "meanings")),
                             h5attr(status, "codes"))
    ts_make(h, d, status_codes = codes, stat = stat)
  })
}

# Adds statistic `stat` of each metric that stores it (column m for the mean, m_stat else); a
# metric named by the caller that lacks it is an error, as is a statistic no metric has.
ts_add_stat <- function(h, d, stat, metrics, named) {
  found <- 0
  every <- character(0)
  for (m in metrics) {
    group <- ts_metric_group(h, m)
    stats <- ts_stats_of(group)
    every <- union(every, setdiff(stats, "q"))
    if (!stat %in% stats) {
      if (named) ts_not_found(h$path, paste("statistic of", m), stat, stats)
      next
    }
    ds <- group[[stat]]
    name <- if (stat == "mean") m else paste0(m, "_", stat)
    d$cols[[name]] <- ts_read(ds)[h$done + 1]
    d$units[[name]] <- ts_unit(ds)
    d$descs[[name]] <- ts_description(if (stat == "mean") group else ds)
    found <- found + 1
  }
  if (found == 0 && length(metrics))
    ts_not_found(h$path, "statistic", stat, every, "quantiles: ts_quantiles(x, metric)")
  d
}

ts_quantiles <- function(x, metric, long = FALSE, parameters = FALSE) {
  ts_with_file(x, function(h) {
    group <- ts_metric_group(h, metric)
    if (!"q" %in% names(group)) {
      metrics <- ts_metric_names(h$g)
      with_q <- metrics[vapply(metrics, function(m) "q" %in% names(h$g[["results"]][[m]]),
                               logical(1))]
      ts_not_found(h$path, "metric with stored quantiles", metric, with_q,
                   "keep them with [output] quantiles = [...]")
    }
    ds <- group[["q"]]
    probs <- as.numeric(h5attr(ds, "probs"))
    values <- t(ts_read(ds))[h$done + 1, , drop = FALSE]  # hdf5r gives [Q, P]: back to [P, Q]
    d <- ts_design(h, parameters)
    if (long) return(ts_long_quantiles(h, d, probs, values, ds))
    names <- sprintf("q%g", probs)  # as Python names them
    for (j in seq_along(probs)) {
      d$cols[[names[j]]] <- values[, j]
      d$units[[names[j]]] <- ts_unit(ds)
      d$descs[[names[j]]] <- sprintf("%s quantile of %s over replications", sprintf("%g", probs[j]),
                                     metric)
    }
    ts_make(h, d, metric = metric, probs = stats::setNames(probs, names))
  })
}

ts_long_quantiles <- function(h, d, probs, values, ds) {
  each <- rep(seq_along(d$cols$point), each = length(probs))
  d$cols <- lapply(d$cols, function(col) col[each])
  d$cols$prob <- rep(probs, length.out = length(each))
  d$cols$value <- as.vector(t(values))
  d$units$prob <- "1"
  d$units$value <- ts_unit(ds)
  d$descs$prob <- "probability of the quantile"
  d$descs$value <- ts_description(ds)
  ts_make(h, d, probs = probs)
}
