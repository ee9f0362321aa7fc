#include "python_commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace tariffsim::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCommands[][2] = {
    {"plot", "draw the paper's figures from a result file (python3 -m tariffsim.plot)"},
    {"report", "one self-contained HTML page of a result file (python3 -m tariffsim.report)"},
};

bool holds_package(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "tariffsim" / "__init__.py", ec);
}

// The package next to this binary: an installed copy (<prefix>/share/tariffsim/python) first,
// then the source folder it was built from. Empty when neither exists, e.g. a binary copied
// elsewhere: Python then finds a pip-installed package by itself.
fs::path package_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "tariffsim" / "python";
    if (holds_package(installed)) return installed;
  }
  const fs::path source = TARIFFSIM_PYTHON_DIR;
  return holds_package(source) ? source : fs::path();
}

// The index of the subcommand in argv: past the global flags main() declares (-q, -v,
// --log-file FILE), which mean nothing to the Python commands and are dropped.
int command_index(int argc, char** argv) {
  int i = 1;
  while (i < argc) {
    const std::string arg = argv[i];
    if (arg == "-q" || arg == "--quiet" || arg == "-v" || arg == "--verbose" ||
        arg.rfind("--log-file=", 0) == 0)
      i += 1;
    else if (arg == "--log-file")
      i += 2;
    else
      break;
  }
  return i;
}

void prepend_pythonpath(const fs::path& dir) {
  if (dir.empty()) return;
  std::string value = dir.string();
  if (const char* old = std::getenv("PYTHONPATH"); old != nullptr && *old != '\0')
    value += std::string(":") + old;
  setenv("PYTHONPATH", value.c_str(), 1);
}

}  // namespace

void declare_python_commands(CLI::App& app) {
  for (const auto& [name, help] : kCommands) app.add_subcommand(name, help)->allow_extras();
}

std::optional<int> run_python_command(int argc, char** argv) {
  const int at = command_index(argc, argv);
  if (at >= argc) return std::nullopt;
  const std::string command = argv[at];
  bool known = false;
  for (const auto& entry : kCommands) known = known || command == entry[0];
  if (!known) return std::nullopt;

  prepend_pythonpath(package_dir());
  // Debian's python3 has matplotlib, h5py and pandas (tools/setup.sh); TARIFFSIM_PYTHON picks
  // another interpreter, e.g. a venv's.
  const char* env_python = std::getenv("TARIFFSIM_PYTHON");
  const std::string python =
      env_python != nullptr && *env_python != '\0' ? env_python : "/usr/bin/python3";
  const std::string module = "tariffsim." + command;
  std::vector<char*> args{const_cast<char*>(python.c_str()), const_cast<char*>("-m"),
                          const_cast<char*>(module.c_str())};
  for (int i = at + 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(python.c_str(), args.data());
  std::fprintf(stderr, "error: cannot run %s for `tariffsim %s`: %s\n", python.c_str(),
               command.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace tariffsim::cli
