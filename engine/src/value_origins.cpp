#include "value_origins.hpp"

namespace tariffsim {

const ValueOrigins::Origin* ValueOrigins::find(const std::string& key) const {
  const auto it = origins_.find(key);
  return it == origins_.end() ? nullptr : &it->second;
}

SourceLocation ValueOrigins::where(const std::string& key) const {
  const Origin* o = find(key);
  return o ? o->value : fallback_;
}

SourceLocation ValueOrigins::where_key(const std::string& key) const {
  const Origin* o = find(key);
  return o ? o->key : fallback_;
}

std::optional<std::string> ValueOrigins::written(const std::string& key) const {
  const Origin* o = find(key);
  if (!o || !o->written) return std::nullopt;
  return o->written();
}

ValueOrigins origins_of(const Experiment& exp) {
  const SourceLocation fallback{exp.config_path.empty() ? "<experiment>" : exp.config_path};
  ValueOrigins origins(fallback);
  // SourceLocation{} is a location nobody set in C++ (from TOML it would mean --set).
  auto note = [&](const std::string& key, const SourceLocation& where) {
    const SourceLocation at = where.file.empty() ? fallback : where;
    origins.note(key, {at, at, nullptr});
  };
  for (const auto& [name, located] : exp.fixed) note("parameters." + name, located.where);
  for (const auto& axis : exp.grid) note("grid." + axis.name, axis.where);
  if (exp.sample) {
    note("sample", exp.sample->where);
    for (const auto& range : exp.sample->ranges) note("sample.ranges." + range.name, range.where);
  }
  if (exp.sensitivity) {
    note("sensitivity", exp.sensitivity->where);
    for (const auto& range : exp.sensitivity->ranges)
      note("sensitivity.ranges." + range.name, range.where);
  }
  note("output.file", exp.output.file_where);
  return origins;
}

}  // namespace tariffsim
