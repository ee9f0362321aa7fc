# Read tariffsim result files (HDF5, format version 1; engine/FORMAT.md) into an R data.frame.
#
#   source("tools/R/tariffsim_reader.R")
#   df <- read_tariffsim("results/quickstart.h5")              # parameters + metric means
#   df <- read_tariffsim(path, stats = c("mean", "se"))        # adds <metric>_se columns
#
# Checks the format name and version first, and refuses incomplete files unless
# allow_incomplete = TRUE.
library(hdf5r)

read_tariffsim <- function(path, experiment = NULL, stats = "mean", allow_incomplete = FALSE) {
  f <- H5File$new(path, mode = "r")
  on.exit(f$close_all())
  fmt <- if (f$attr_exists("format")) h5attr(f, "format") else ""
  if (fmt != "tariffsim")
    stop(sprintf("%s: not a tariffsim result file (format attribute is '%s')", path, fmt))
  version <- h5attr(f, "format_version")
  if (version != 1)
    stop(sprintf("%s: format_version %d is not supported (this reader reads version 1)",
                 path, version))
  groups <- names(f)
  if (is.null(experiment)) {
    if (length(groups) != 1)
      stop(sprintf("%s: holds experiments %s; pass experiment =", path,
                   paste(groups, collapse = ", ")))
    experiment <- groups[1]
  }
  g <- f[[experiment]]
  if (!allow_incomplete && h5attr(g, "complete") != 1)
    stop(sprintf("%s: experiment '%s' is incomplete; pass allow_incomplete = TRUE", path,
                 experiment))
  points <- g[["points"]]
  df <- data.frame(index = points[["index"]][])
  for (p in setdiff(names(points), "index")) df[[p]] <- points[[p]][]
  results <- g[["results"]]
  for (m in names(results)) {
    if (m == "status") next
    for (s in stats) df[[if (s == "mean") m else paste0(m, "_", s)]] <- results[[m]][[s]][]
  }
  df$status <- results[["status"]][]
  if (allow_incomplete) df <- df[g[["status/done"]][] == 1, , drop = FALSE]
  df
}
