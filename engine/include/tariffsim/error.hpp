// One typed exception hierarchy for the whole project. The CLI maps the two branches to exit codes:
// InputError (anything the user can fix in a config, a parameter, a CLI flag or an input file) ->
// 2, every other Error -> 1.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tariffsim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input. Holds every problem found, so a user fixes a config in one round trip.
class InputError : public Error {
 public:
  explicit InputError(std::string message) : Error(message), problems_{std::move(message)} {}
  explicit InputError(std::vector<std::string> problems)
      : Error(join(problems)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  static std::string join(const std::vector<std::string>& problems) {
    std::string out;
    for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p;
    return out;
  }
  std::vector<std::string> problems_;
};

// A point outside the model's domain (prohibitive tariff, underflowing normalisation, ...).
// Thrown by a model's prepare(); the engine turns it into NaN outputs and the status code.
class DomainError : public Error {
 public:
  DomainError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// Failure reading or writing a file after the inputs were accepted (disk full, HDF5 failure).
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace tariffsim
