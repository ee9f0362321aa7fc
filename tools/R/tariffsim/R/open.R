# ts_open(): what a file holds, checked; the other ts_* functions take its result (or a path).

ts_open <- function(path, allow_incomplete = FALSE, experiment = NULL) {
  spec <- list(path = path, allow_incomplete = allow_incomplete, experiment = experiment)
  ts_with_file(structure(spec, class = "tariffsim_file"), function(h) {
    g <- h$g
    names_of <- function(group) if (g$exists(group)) names(g[[group]]) else character(0)
    structure(c(spec[c("path", "allow_incomplete")], list(
      experiment = sub("^/", "", g$get_obj_name()),
      model = h5attr(g, "model"),
      model_version = h5attr(g, "model_version"),
      format_version = h$version,
      n_points = h$n,
      complete = h5attr(g, "complete") == 1,
      parameters = setdiff(names_of("points"), "index"),
      metrics = ts_metric_names(g),
      series = names_of("series"))), class = "tariffsim_file")
  })
}

print.tariffsim_file <- function(x, ...) {
  cat(sprintf("<tariffsim file %s: experiment %s, model %s %s, %s points%s>\n", x$path,
              x$experiment, x$model, x$model_version, format(x$n_points, scientific = FALSE),
              if (x$complete) "" else " (incomplete)"))
  invisible(x)
}

ts_columns <- function(x) {
  ts_with_file(x, function(h) {
    g <- h$g
    rows <- list()
    add <- function(kind, group, names, type_attr) {
      for (name in names) {
        obj <- g[[group]][[name]]
        type <- if (obj$attr_exists(type_attr)) h5attr(obj, type_attr) else ""
        rows[[length(rows) + 1]] <<- data.frame(name = name, kind = kind, type = type,
                                                unit = ts_unit(obj),
                                                description = ts_description(obj))
      }
    }
    add("parameter", "points", setdiff(names(g[["points"]]), "index"), "type")
    add("metric", "results", ts_metric_names(g), "level")
    if (g$exists("series")) add("series", "series", names(g[["series"]]), "type")
    do.call(rbind, rows)
  })
}

ts_info <- function(x) {
  text <- ts_with_file(x, ts_summary)
  cat(text, sep = "\n")
  invisible(text)
}

ts_summary <- function(h) {
  g <- h$g
  unit <- function(obj) if (nzchar(ts_unit(obj))) sprintf(" [%s]", ts_unit(obj)) else ""
  version <- if (is.na(h$version[2])) h$version[1] else paste(h$version, collapse = ".")
  lines <- c(sprintf("%s: tariffsim result file, format %s", h$path, version),
             sprintf("experiment %s: model %s %s", sub("^/", "", g$get_obj_name()),
                     h5attr(g, "model"), h5attr(g, "model_version")),
             sprintf("points: %d of %s done%s", length(h$done), format(h$n, scientific = FALSE),
                     if (h5attr(g, "complete") == 1) "" else " (INCOMPLETE)"))
  for (a in c("tariffsim_version", "git_commit", "kernel_isa", "created_utc", "finished_utc"))
    if (h$f$attr_exists(a)) lines <- c(lines, sprintf("  %s: %s", a, h5attr(h$f, a)))
  for (a in c("seed", "replications", "max_replications"))
    if (g$attr_exists(a)) lines <- c(lines, sprintf("  %s: %s", a, format(h5attr(g, a))))
  lines <- c(lines, "parameters:")
  for (p in setdiff(names(g[["points"]]), "index")) {
    ds <- g[["points"]][[p]]
    lines <- c(lines, sprintf("  %s%s (%s)", p, unit(ds), h5attr(ds, "type")))
  }
  lines <- c(lines, "metrics:")
  for (m in ts_metric_names(g)) {
    group <- g[["results"]][[m]]
    lines <- c(lines, sprintf("  %s%s (%s): %s", m, unit(group), h5attr(group, "level"),
                              paste(ts_stats_of(group), collapse = ", ")))
  }
  if (g$exists("series"))
    for (s in names(g[["series"]])) {
      ds <- g[["series"]][[s]]
      shape <- paste(rev(ds$dims), collapse = " x ")  # hdf5r lists dimensions reversed
      lines <- c(lines, sprintf("series %s%s: %s", s, unit(ds), shape))
    }
  lines
}
