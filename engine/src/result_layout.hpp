// What datasets a result file of a given layout holds (FORMAT.md), in one place for the writer,
// the checks, merge and the rebuild: paths, types, shapes, and the axis of each dimension.
// Internal to the engine.
#pragma once

#include <H5Cpp.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "tariffsim/result_file.hpp"

namespace tariffsim::detail {

// One dataset of a result file: path under the experiment group, type and shape, and the
// dimension scale (a dataset path) of each dimension. The scales themselves are datasets under
// `axes/` (and `points/index`, the point axis), with `axis_label` set.
struct DatasetSpec {
  std::string path;
  H5T_class_t type_class;
  std::size_t size;  // bytes per element
  bool is_signed;    // integers only
  std::vector<hsize_t> dims;
  std::vector<std::string> axes;  // per dimension; empty for a scale
  std::string axis_label;         // the dimension name a scale gives ("point", "replication", ...)
  // A parameter the design does not vary: its column may read as its fill value, with no chunk
  // written (an earlier build wrote every row).
  bool may_be_unwritten = false;
};

inline constexpr const char* kPointAxis = "points/index";
inline constexpr const char* kReplicationAxis = "axes/replication";
inline constexpr const char* kQuantileAxis = "axes/quantile";

// Every dataset of the layout, the axes included, in the order the writer creates them.
std::vector<DatasetSpec> dataset_specs(const FileLayout& layout);

// True for a dataset indexed by point along dimension 0 (everything but the axes/ scales and the
// sensitivity/ indices).
bool is_point_indexed(const std::string& path);

// The outputs a [sensitivity] analyses, as indices into layout.info->metrics: those it names, or
// every output the file keeps; none without a [sensitivity].
std::vector<std::size_t> sensitivity_outputs(const FileLayout& layout);
// The columns of sensitivity/<output>/, one value per input each.
inline constexpr std::array<const char*, 6> kIndexColumns = {"first", "first_lo", "first_hi",
                                                             "total", "total_lo", "total_hi"};
std::size_t input_name_width(const SensitivitySpec& sensitivity);  // of sensitivity/inputs

// The path of the period axis of kept series `s` (layout.series[s]): `axes/period` when every kept
// series has the same length, else `axes/period_<length>`.
std::string period_axis(const FileLayout& layout, std::size_t s);

// The time now, ISO 8601 UTC ("2026-12-06T19:00:00Z"), for created_utc and finished_utc.
std::string utc_now();

// The root's finished_utc: created empty with the layout, and written once the file is complete.
// A fixed-length string, so that the write happens in place (a variable-length one would take new
// heap space: metadata a kill could leave half written).
void create_finished_utc(H5::H5File& file);
void write_finished_utc(H5::H5File& file);

}  // namespace tariffsim::detail
