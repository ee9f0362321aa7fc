// Human-readable descriptions for `tariffsim describe` and `tariffsim info`.
#pragma once

#include <string>

#include "tariffsim/schema.hpp"

namespace tariffsim {

class Registry;

// Every parameter (type, default, range, unit, description), every output and status code.
std::string describe_model(const ModelInfo& info);

// Format, version, experiment, model, point counts from status/done, completeness, datasets.
// Throws InputError (naming the file and what is wrong) for any file CheckedResultFile refuses
// and, where this build has the file's model, for a layout that does not match its config.
std::string describe_result_file(const std::string& path, const Registry& registry);

}  // namespace tariffsim
