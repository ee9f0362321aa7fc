# ts_sensitivity(): the Sobol indices of a [sensitivity] experiment (engine/FORMAT.md,
# sensitivity/), as the Python package's ResultFile.sensitivity() reads them.

SENSITIVITY_COLUMNS <- c("first", "first_lo", "first_hi", "total", "total_lo", "total_hi")

ts_sensitivity <- function(x) {
  ts_with_file(x, function(h) {
    if (!h$g$exists("sensitivity"))
      ts_not_found(h$path, "analysis", "sensitivity", character(0),
                   "ask for one with a [sensitivity] section")
    group <- h$g[["sensitivity"]]
    inputs <- as.character(ts_read(group[["inputs"]]))
    listing <- group$ls()
    outputs <- listing$name[listing$obj_type == "H5I_GROUP"]
    parts <- lapply(outputs, function(output) {
      indices <- group[[output]]
      columns <- lapply(SENSITIVITY_COLUMNS, function(c) as.double(ts_read(indices[[c]])))
      names(columns) <- SENSITIVITY_COLUMNS
      data.frame(output = rep(output, length(inputs)), input = inputs, columns,
                 stringsAsFactors = FALSE)
    })
    empty <- data.frame(output = character(0), input = character(0),
                        stats::setNames(rep(list(double(0)), 6), SENSITIVITY_COLUMNS))
    do.call(rbind, c(list(empty), parts))
  })
}
