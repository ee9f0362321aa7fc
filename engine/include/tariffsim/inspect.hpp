// Human-readable descriptions for `tariffsim describe` and `tariffsim info`.
#pragma once

#include <string>

#include "tariffsim/schema.hpp"

namespace tariffsim {

// Every parameter (type, default, range, unit, description), every output and status code.
std::string describe_model(const ModelInfo& info);

// Format, version, experiments, models, point counts, completeness, datasets. Throws InputError
// if the file is not an HDF5 file or not a tariffsim result file of a known format version.
std::string describe_result_file(const std::string& path);

}  // namespace tariffsim
