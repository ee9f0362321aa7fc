// `tariffsim merge`: the file a single run would have written, from its shard files.
#pragma once

#include <string>
#include <vector>

namespace tariffsim {

class Registry;

// Checks that the shard files share a config hash and together cover every point exactly once,
// and writes the file a single run would have written (InputError if not), its point columns
// compressed (FORMAT.md, "Compression"). The file takes the name `out` only when complete; an
// existing `out` is refused (InputError) unless `force`, and then replaced only by the complete
// file. A whole run's complete file is a valid single "shard": merging it compresses it.
// `force_origin` is how messages name the option that sets `force` (the command line: "--force").
void merge_result_files(const std::string& out, const std::vector<std::string>& shards,
                        const Registry& registry, const std::string& command_line,
                        bool force = false, const std::string& force_origin = "force");

}  // namespace tariffsim
