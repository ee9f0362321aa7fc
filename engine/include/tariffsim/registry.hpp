// Name -> model factory. Contract (tested in tests/engine/test_registry.cpp):
//  - names are unique: registering a name twice throws Error;
//  - lookup of an unknown name throws InputError listing the known names;
//  - registration happens during static initialisation, lookups afterwards; the registry is not
//    meant to be mutated while runs are under way.
// A plugin registers itself beside its definition with TARIFFSIM_REGISTER_MODEL(Class), so adding
// a model touches no central list.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tariffsim/model.hpp"

namespace tariffsim {

using ModelFactory = std::function<std::unique_ptr<Model>()>;

class Registry {
 public:
  static Registry& global();
  void add(const std::string& name, ModelFactory factory);
  std::unique_ptr<Model> create(const std::string& name) const;
  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, ModelFactory> factories_;
};

struct ModelRegistrar {
  ModelRegistrar(const std::string& name, ModelFactory factory) {
    Registry::global().add(name, std::move(factory));
  }
};

}  // namespace tariffsim

// NOLINTBEGIN(bugprone-macro-parentheses): Class names a type, which parentheses would break.
#define TARIFFSIM_REGISTER_MODEL(Class)                               \
  namespace {                                                         \
  const ::tariffsim::ModelRegistrar tariffsim_registrar_##Class{      \
      Class{}.info().name, [] { return std::make_unique<Class>(); }}; \
  }
// NOLINTEND(bugprone-macro-parentheses)
