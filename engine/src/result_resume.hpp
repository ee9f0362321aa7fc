// The rules of `--resume` (FORMAT.md, "Surviving a kill", "What readers check"): which partial
// file a run may continue, the repairs a kill makes necessary before it is opened for writing
// (its recorded end of file, a rebuild when its chunk indexes may be torn), and the temporary
// files killed runs leave. Internal to the engine.
#pragma once

#include <cstdint>
#include <string>

#include "tariffsim/result_file.hpp"

namespace tariffsim::detail {

// Removes, with one log line each, the temporary files a run or rebuild killed while creating
// `path` left beside it (they hold no results). InputError if a live process has one open.
void remove_leftovers(const std::string& path, const std::string& origin);

// Everything before a partial file of `layout` is reopened for writing: refuses a file in use,
// missing, foreign, damaged, of another config, build or shard (InputError naming it); removes
// leftover temporaries; moves the recorded end of file to its real end; and rebuilds a file cut
// while a batch's compressed chunks were being written.
void prepare_resume(const std::string& path, const FileLayout& layout);

// `--resume` of a file cut while a batch's compressed chunks were being written, whose chunk
// indexes may be torn: rebuilds it under a temporary name from every done point whose rows can be
// read whole (its compressed chunks all present in their indexes), clears the done bits of the
// others, so that the run computes them again, and renames the result onto `path`. The file must
// have passed the resume's checks against `layout`. Returns how many done points were lost.
std::uint64_t rebuild_result_file(const std::string& path, const FileLayout& layout);

}  // namespace tariffsim::detail
