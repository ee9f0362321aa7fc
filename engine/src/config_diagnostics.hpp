// The problems found in an experiment, collected before anything is thrown so that a user fixes a
// config in one round trip. Each names where (file:line:col, or the file, or --set), the dotted
// key, what was expected and what was there; unknown names come with a "did you mean".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tariffsim/schema.hpp"
#include "tariffsim/value.hpp"

namespace tariffsim {

class ConfigDiagnostics {
 public:
  // `file` names the experiment in problems that have no line, such as a missing key.
  explicit ConfigDiagnostics(std::string file) : file_(std::move(file)) {}

  void report(const SourceLocation& where, const std::string& key, const std::string& what);
  // A problem already worded in full, about no one key.
  void add(std::string problem) {
    problems_.push_back(std::move(problem));
    keys_.emplace_back();
  }
  void expected(const SourceLocation& where, const std::string& key, const std::string& what,
                const std::string& got) {
    report(where, key, "expected " + what + ", got " + got);
  }
  void missing(const std::string& section, const std::string& key, const std::string& what);
  // `context` says where the key was found ("[output]"); `known` lists the keys it takes.
  void unknown_key(const SourceLocation& where, const std::string& path, const std::string& key,
                   const std::string& context, std::span<const std::string_view> known);

  // True if a problem was reported at `key` or inside it ("sample" covers "sample.n" and
  // "sample.ranges.k"), for a rule that judges only what has no other problem.
  bool has_problem_in(std::string_view key) const;
  bool empty() const { return problems_.empty(); }
  // Throws InputError with every problem, if there is one.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<std::string> problems_;
  std::vector<std::string> keys_;  // of each problem
};

std::string join(const std::vector<std::string>& words);

std::string int_range_text(std::int64_t lo, std::int64_t hi);  // "an integer in [1, 10]"

// "did you mean 'delta'?" for the closest declared parameter within two edits, else the list.
std::string suggest_parameter(const ModelInfo& info, const std::string& name);
// The same for any list of names: "did you mean 'x'?", else "<what>: a, b, c".
std::string suggest_name(const std::string& name, const std::vector<std::string>& names,
                         const std::string& what);

}  // namespace tariffsim
