#include "tariffsim/inspect.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "hdf5_rows.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

namespace {

// "[unit]", or "[-]" when there is none. Built by appending: GCC 12 warns falsely (-Wrestrict) on
// "[" + std::string.
std::string bracketed_unit(const std::string& unit) {
  std::string out = "[";
  out += unit.empty() ? "-" : unit;
  out += "]";
  return out;
}

std::string read_string_attr(const H5::H5Object& obj, const std::string& name) {
  return detail::string_attr_or(obj, name, "");
}

template <class T>
T read_scalar_attr(const H5::H5Object& obj, const std::string& name, const H5::PredType& type) {
  T value{};
  if (obj.attrExists(name)) obj.openAttribute(name).read(type, &value);
  return value;
}

std::vector<std::uint8_t> read_done(const H5::Group& g) {
  if (!g.nameExists("status")) return {};
  H5::DataSet done = g.openDataSet("status/done");
  hsize_t n = 0;
  done.getSpace().getSimpleExtentDims(&n);
  std::vector<std::uint8_t> bits(n);
  if (n) done.read(bits.data(), H5::PredType::NATIVE_UINT8);
  return bits;
}

std::uint64_t count_done(const H5::Group& g) {
  const auto bits = read_done(g);
  std::uint64_t count = 0;
  for (auto b : bits) count += b;
  return count;
}

// A shard file is never marked complete, so this line says whether the shard's own block of
// points is all done: what a job array's merge step checks before merging (tools/slurm/array.sh).
std::string shard_progress(std::uint64_t index, std::uint64_t count, std::uint64_t n_points,
                           const std::vector<std::uint8_t>& done_bits) {
  if (count <= 1 || index >= count) return "";
  const auto [first, last] = shard_range(n_points, index, count);
  // A bitmap shorter than the layout (a damaged file) counts its missing rows as not done.
  const std::uint64_t end = std::min<std::uint64_t>(last, done_bits.size());
  std::uint64_t done = 0;
  for (std::uint64_t i = first; i < end; ++i) done += done_bits[i] != 0;
  const std::uint64_t expected = last - first;
  return "  shard " + std::to_string(index) + "/" + std::to_string(count) + ": " +
         (done == expected ? "COMPLETE" : "INCOMPLETE") + ": " + std::to_string(done) + "/" +
         std::to_string(expected) + " points of the shard done\n";
}

std::vector<std::string> members(const H5::Group& g) {
  std::vector<std::string> out;
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) out.push_back(g.getObjnameByIdx(i));
  return out;
}

// Rows of cells printed with every column padded to its widest cell, so a long list of
// parameters stays readable in a terminal.
std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    out += "  ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

// Defaults as a reader would write them (0.9, not 0.90000000000000002).
std::string short_value(const Value& v) {
  if (const double* x = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", *x);
    return buf;
  }
  if (const auto* list = std::get_if<std::vector<double>>(&v)) {
    std::string out = "[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (i) out += ", ";
      out += short_value(Value{(*list)[i]});
    }
    out += "]";
    return out;
  }
  return to_string(v);
}

}  // namespace

std::string describe_model(const ModelInfo& info) {
  std::ostringstream os;
  os << info.name << " " << info.version << "\n  " << info.description << "\n  citation: "
     << info.citation << "\n  " << (info.stochastic ? "stochastic" : "deterministic") << "\n\n";
  os << "parameters:\n";
  std::vector<std::vector<std::string>> rows = {
      {"name", "type", "default", "valid", "unit", "description"}};
  for (const auto& p : info.params) {
    std::string domain;
    if (p.type == ParamType::Enum) {
      for (const auto& c : p.choices) domain += (domain.empty() ? "" : "|") + c;
    } else if (p.type != ParamType::Bool) {
      domain = p.range.str();
    }
    rows.push_back({p.name, to_string(p.type), short_value(p.default_value), domain,
                    bracketed_unit(p.unit), p.description});
  }
  os << aligned(rows);
  os << "\noutputs (in the file: results/<name>/mean, sd, se, n, min, max):\n";
  rows = {{"name", "level", "unit", "description"}};
  for (const auto& m : info.metrics)
    rows.push_back({m.name, m.level == OutputLevel::Point ? "point" : "replication",
                    bracketed_unit(m.unit), m.description});
  os << aligned(rows);
  if (!info.series.empty()) {
    os << "\nseries (series/<name> [points, replications, length]; ask with [output] series):\n";
    rows = {{"name", "length", "unit", "description"}};
    for (const auto& s : info.series)
      rows.push_back({s.name, s.length_param, bracketed_unit(s.unit), s.description});
    os << aligned(rows);
  }
  os << "\nstatus codes (results/status):\n";
  rows = {{"0", "ok"}, {"1", "a parameter is outside its declared range"}};
  for (const auto& [code, meaning] : info.status_codes) rows.push_back({std::to_string(code), meaning});
  os << aligned(rows);
  return os.str();
}

std::string describe_result_file(const std::string& path) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  if (!detail::is_hdf5_file(path)) throw InputError(path + ": not an HDF5 file");
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    if (read_string_attr(f, "format") != "tariffsim")
      throw InputError(path + ": not a tariffsim result file (root attribute format != tariffsim)");
    const int version = read_scalar_attr<int>(f, "format_version", H5::PredType::NATIVE_INT);
    if (version != kFormatVersion)
      throw InputError(path + ": format_version " + std::to_string(version) +
                       " is not supported (this build reads version " +
                       std::to_string(kFormatVersion) + ")");
    std::ostringstream os;
    os << path << "\n  format tariffsim " << version << ", written by tariffsim "
       << read_string_attr(f, "tariffsim_version") << " (" << read_string_attr(f, "git_commit")
       << ") at " << read_string_attr(f, "created_utc") << "\n  command: "
       << read_string_attr(f, "command_line") << "\n";
    for (const auto& name : members(f.openGroup("/"))) {
      H5::Group g = f.openGroup(name);
      const auto n_points = read_scalar_attr<std::uint64_t>(g, "n_points", H5::PredType::NATIVE_UINT64);
      const auto complete = read_scalar_attr<std::uint8_t>(g, "complete", H5::PredType::NATIVE_UINT8);
      os << "\nexperiment " << name << ": model " << read_string_attr(g, "model") << " "
         << read_string_attr(g, "model_version") << ", seed "
         << read_scalar_attr<std::uint64_t>(g, "seed", H5::PredType::NATIVE_UINT64) << ", "
         << n_points << " points x "
         << read_scalar_attr<std::uint64_t>(g, "replications", H5::PredType::NATIVE_UINT64)
         << " replications\n  " << (complete ? "COMPLETE" : "INCOMPLETE") << ": "
         << count_done(g) << "/" << n_points << " points done; config sha256 "
         << read_string_attr(g, "config_sha256") << "\n";
      os << shard_progress(
          read_scalar_attr<std::uint64_t>(g, "shard_index", H5::PredType::NATIVE_UINT64),
          read_scalar_attr<std::uint64_t>(g, "shard_count", H5::PredType::NATIVE_UINT64), n_points,
          read_done(g));
      for (const char* section : {"points", "results", "replications", "series"}) {
        if (!g.nameExists(section)) continue;
        os << "  " << section << ":";
        for (const auto& m : members(g.openGroup(section))) os << " " << m;
        os << "\n";
      }
    }
    return os.str();
  } catch (const H5::Exception& e) {
    throw InputError(path + ": cannot read as a tariffsim result file: " + e.getDetailMsg());
  }
}

}  // namespace tariffsim
