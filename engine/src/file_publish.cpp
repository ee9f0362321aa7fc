#include "tariffsim/file_publish.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "tariffsim/error.hpp"

namespace tariffsim {

namespace {

// A new file is built as `<path>.tmp-<pid>` beside its path (the same file system, so the rename
// is atomic) and renamed onto the path once its layout is complete.
constexpr const char* kTemporaryTag = ".tmp-";

// HDF5 truncates a file before it checks the lock another process holds on it, so a second run
// to the same path would wipe the first run's file while the first goes on and reports success.
// HDF5 locks with flock (exclusive for a writer, shared for a reader), so a failed exclusive flock
// here means another process has the file open.
bool open_in_another_process(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no file yet (or unreadable: creating it will say so)
  const bool in_use = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return in_use;
}

// fsync of a file or directory: a rename is durable only once the renamed file's data and the
// directory entry are on disk (a node crash could otherwise leave an empty file under the name).
void sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path + "' to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems cannot sync a directory (EINVAL): the rename is then as durable as they
  // allow.
  if (rc != 0 && err != EINVAL)
    throw IoError("cannot sync '" + path + "' to disk: " + std::strerror(err));
}

}  // namespace

void refuse_if_in_use(const std::string& path, const std::string& origin) {
  if (open_in_another_process(path))
    throw InputError(origin + ": '" + path +
                     "' is open in another process (a run still writing it?): "
                     "expected an output file no other run is using");
}

void refuse_directory(const std::string& path, const std::string& origin) {
  if (std::filesystem::is_directory(path))
    throw InputError(origin + ": cannot create '" + path +
                     "' (expected a writable path to a file, not a directory)");
}

void refuse_existing_file(const std::string& path, const std::string& origin,
                          const std::string& remedy, bool replace) {
  refuse_directory(path, origin);
  refuse_if_in_use(path, origin);  // even to replace it: the run writing it would lose its results
  if (!replace && std::filesystem::exists(path))
    throw InputError(origin + ": '" + path +
                     "' already exists and a result is never overwritten: " + remedy);
}

std::string temporary_path(const std::string& path) {
  return path + kTemporaryTag + std::to_string(::getpid());
}

void publish_file(const std::string& temporary, const std::string& path, bool replace,
                  const std::string& origin, const std::string& force) {
  sync_path(temporary, O_RDONLY);
  int rc = replace
               ? std::rename(temporary.c_str(), path.c_str())
               : ::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && !replace && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
    // A file system without RENAME_NOREPLACE (NFS): check, then rename.
    rc = std::filesystem::exists(path) ? (errno = EEXIST, -1)
                                       : std::rename(temporary.c_str(), path.c_str());
  }
  if (rc != 0 && errno == EEXIST)
    throw InputError(origin + ": '" + path +
                     "' appeared while this run was creating it (another "
                     "run?); a result is never overwritten: pass " +
                     force + " to replace it");
  if (rc != 0)
    throw IoError("cannot rename '" + temporary + "' to '" + path + "': " + std::strerror(errno));
  const auto parent = std::filesystem::path(path).parent_path();
  sync_path(parent.empty() ? "." : parent.string(), O_RDONLY | O_DIRECTORY);
}

std::vector<std::string> remove_leftover_temporaries(const std::string& path,
                                                     const std::string& origin) {
  const std::filesystem::path target(path);
  const auto folder =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + kTemporaryTag;
  std::vector<std::string> removed;
  std::error_code ec;  // a folder that does not exist yet holds no leftovers
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    const std::string leftover = (target.parent_path() / entry.path().filename()).string();
    if (open_in_another_process(leftover))
      throw InputError(origin + ": another run is creating '" + path + "' (its temporary file '" +
                       leftover + "' is open): expected an output no other run is writing");
    std::filesystem::remove(leftover);
    removed.push_back(leftover);
  }
  return removed;
}

}  // namespace tariffsim
