#include "tariffsim/registry.hpp"

#include "tariffsim/error.hpp"

namespace tariffsim {

Registry& Registry::global() {
  static Registry registry;  // constructed on first use, so static registrars may run in any order
  return registry;
}

void Registry::add(const std::string& name, ModelFactory factory) {
  if (!factories_.emplace(name, std::move(factory)).second)
    throw Error("model '" + name + "' is registered twice");
}

std::unique_ptr<Model> Registry::create(const std::string& name) const {
  const auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown model '" + name + "' (known models: " + known + ")");
  }
  return it->second();
}

bool Registry::contains(const std::string& name) const {
  return factories_.count(name) > 0;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace tariffsim
