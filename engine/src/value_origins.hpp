// Where each value of an experiment was written and how, by dotted key ("parameters.alpha",
// "output.series[0]"). The rules judge the typed experiment, and a problem is reported against
// what the user wrote: exp.toml:7:9 and "got 2" for `alpha = 2`, not the 2.0 the struct holds.
// An experiment built in C++ has only the locations its struct carries.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "tariffsim/experiment.hpp"

namespace tariffsim {

class ValueOrigins {
 public:
  struct Origin {
    SourceLocation value;
    SourceLocation key;
    std::function<std::string()> written;  // the value as written, when known
  };

  // `fallback` is where a value with no origin is said to be: the experiment as a whole.
  explicit ValueOrigins(SourceLocation fallback) : fallback_(std::move(fallback)) {}

  void note(const std::string& key, Origin origin) { origins_[key] = std::move(origin); }

  const SourceLocation& fallback() const { return fallback_; }
  SourceLocation where(const std::string& key) const;
  SourceLocation where_key(const std::string& key) const;
  std::optional<std::string> written(const std::string& key) const;

 private:
  const Origin* find(const std::string& key) const;

  SourceLocation fallback_;
  std::map<std::string, Origin> origins_;
};

// The origins an experiment's own struct records (fixed values, grid axes, sample ranges, the
// output file); anything else is located at the config path, or "<experiment>" if it has none.
ValueOrigins origins_of(const Experiment& experiment);

}  // namespace tariffsim
