// `--set key=value` overrides, applied to the parsed document before it is read, so that an
// overridden value is checked, and stored in config_text, exactly as if the file had said it.
#pragma once

#include <string>
#include <vector>

#include "config_diagnostics.hpp"
#include "toml_document.hpp"

namespace tariffsim {

// Dotted keys ("parameters.delta=0.5", "experiment.seed=3"); a bare key means parameters.<key>.
// A malformed override is reported and skipped.
void apply_overrides(TomlDocument& doc, const std::vector<std::string>& overrides,
                     ConfigDiagnostics& diagnostics);

}  // namespace tariffsim
