// How a result file comes to exist under its name: built under a temporary name beside it and
// renamed onto it once whole (FORMAT.md, "Surviving a kill"), never over a file another process
// has open, never over an existing result unless asked.
#pragma once

#include <string>
#include <vector>

namespace tariffsim {

// InputError if `path` exists: a result is never overwritten unless asked (`replace`).
// `remedy` says how to go on, e.g. "continue it with --resume, or replace it with --force". A
// file another process has open (a run writing it) is refused even with `replace`.
void refuse_existing_file(const std::string& path, const std::string& origin,
                          const std::string& remedy, bool replace = false);

// Where a new file for `path` is built: `<path>.tmp-<pid>`, beside it, so the rename is atomic.
std::string temporary_path(const std::string& path);

// Makes the finished file `temporary` durable and renames it onto `path`: replacing an existing
// file only if `replace`, else refusing atomically one that appeared meanwhile (InputError naming
// `origin`, and `force`, the caller's name for the option that replaces, e.g. "--force").
void publish_file(const std::string& temporary, const std::string& path, bool replace,
                  const std::string& origin, const std::string& force);

// Removes the temporary files a run killed while creating `path` left beside it (their layout
// was never complete, so they hold no result) and returns their names. InputError if one is
// still open in a live process, which is creating the file now.
std::vector<std::string> remove_leftover_temporaries(const std::string& path,
                                                     const std::string& origin);

// InputError if another process has `path` open (HDF5 locks with flock: a run writing it). HDF5
// would truncate such a file before it checks the lock.
void refuse_if_in_use(const std::string& path, const std::string& origin);

// InputError if `path` is a directory: the rename that makes a new file would fail on it, after
// all the work of a run.
void refuse_directory(const std::string& path, const std::string& origin);

}  // namespace tariffsim
