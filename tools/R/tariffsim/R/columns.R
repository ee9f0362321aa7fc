# Typed columns from the file's datasets: parameters by their `type` attribute (engine/FORMAT.md:
# real, integer, bool, enum, list of reals), with each column's unit and description.

ts_unit <- function(obj) if (obj$attr_exists("unit")) h5attr(obj, "unit") else ""

ts_description <- function(obj) {
  if (obj$attr_exists("description")) h5attr(obj, "description") else ""
}

# A dataset whole, in file order (rows last, as hdf5r reverses dimensions); 64-bit integers
# that do not fit R's integer arrive as integer64 and are made double.
ts_read <- function(ds) {
  value <- ds$read(drop = FALSE)
  if (inherits(value, "integer64")) value <- as.double(value)
  if (length(dim(value)) == 1) dim(value) <- NULL
  value
}

ts_as_integer <- function(value) {
  if (all(abs(value) < .Machine$integer.max, na.rm = TRUE)) as.integer(value) else as.double(value)
}

# A list parameter as stored, e.g. "[0.5, 1.5]", as a numeric vector.
ts_parse_list <- function(value) {
  inner <- gsub("^\\s*\\[|\\]\\s*$", "", value)
  parts <- trimws(strsplit(inner, ",", fixed = TRUE)[[1]])
  as.numeric(parts[nzchar(parts)])
}

# The declared choices where the file stores them (attribute `choices`); format 1 does not, so
# then the values present, sorted (in the C locale, as Python sorts them).
ts_levels <- function(ds, values) {
  if (ds$attr_exists("choices")) return(as.character(h5attr(ds, "choices")))
  sort(unique(values), method = "radix")
}

# The parameter column `ds` at `rows` (1-based), typed: double, integer, logical, factor (enum)
# or a list of numeric vectors (list of reals).
ts_parameter <- function(ds, rows) {
  kind <- if (ds$attr_exists("type")) h5attr(ds, "type") else ""
  value <- ts_read(ds)[rows]
  switch(kind,
         bool = as.logical(value),
         integer = ts_as_integer(value),
         enum = factor(value, levels = ts_levels(ds, value)),
         "list of reals" = I(lapply(value, ts_parse_list)),
         value)
}

# A data.frame of `cols` with each column's unit and description as its attributes "units",
# "description" and "label" (what RStudio's viewer shows), and the same as named vectors in the
# frame's attributes "units" and "descriptions" (subsetting rows drops column attributes).
ts_frame <- function(cols, units, descriptions, ...) {
  df <- data.frame(row.names = seq_along(cols[[1]]))
  for (name in names(cols)) {
    df[[name]] <- cols[[name]]
    attr(df[[name]], "units") <- units[[name]]
    attr(df[[name]], "description") <- descriptions[[name]]
    attr(df[[name]], "label") <- descriptions[[name]]
  }
  rownames(df) <- NULL
  attr(df, "units") <- unlist(units)
  attr(df, "descriptions") <- unlist(descriptions)
  extra <- list(...)
  for (name in names(extra)) attr(df, name) <- extra[[name]]
  df
}
