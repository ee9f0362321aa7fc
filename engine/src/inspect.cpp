#include "tariffsim/inspect.hpp"

#include <H5Cpp.h>

#include <filesystem>
#include <sstream>

#include "tariffsim/error.hpp"
#include "tariffsim/result_file.hpp"

namespace tariffsim {

namespace {

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string read_string_attr(const H5::H5Object& obj, const std::string& name) {
  if (!obj.attrExists(name)) return "";
  H5::Attribute a = obj.openAttribute(name);
  std::string out;
  a.read(a.getStrType(), out);
  return out;
}

template <class T>
T read_scalar_attr(const H5::H5Object& obj, const std::string& name, const H5::PredType& type) {
  T value{};
  if (obj.attrExists(name)) obj.openAttribute(name).read(type, &value);
  return value;
}

std::uint64_t count_done(const H5::Group& g) {
  if (!g.nameExists("status")) return 0;
  H5::DataSet done = g.openDataSet("status/done");
  hsize_t n = 0;
  done.getSpace().getSimpleExtentDims(&n);
  std::vector<std::uint8_t> bits(n);
  if (n) done.read(bits.data(), H5::PredType::NATIVE_UINT8);
  std::uint64_t count = 0;
  for (auto b : bits) count += b;
  return count;
}

std::vector<std::string> members(const H5::Group& g) {
  std::vector<std::string> out;
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) out.push_back(g.getObjnameByIdx(i));
  return out;
}

}  // namespace

std::string describe_model(const ModelInfo& info) {
  std::ostringstream os;
  os << info.name << " " << info.version << "\n  " << info.description << "\n  citation: "
     << info.citation << "\n  " << (info.stochastic ? "stochastic" : "deterministic") << "\n\n";
  os << "parameters (name, type, default, valid range or choices, unit, description):\n";
  for (const auto& p : info.params) {
    std::string domain;
    if (p.type == ParamType::Enum) {
      for (const auto& c : p.choices) domain += (domain.empty() ? "" : "|") + c;
    } else if (p.type != ParamType::Bool) {
      domain = p.range.str();
    }
    os << "  " << p.name << "  " << to_string(p.type) << "  default " << to_string(p.default_value)
       << "  " << domain << "  [" << or_dash(p.unit) << "]  " << p.description << "\n";
  }
  os << "\noutputs (results/<name>/mean, sd, se, n, min, max):\n";
  for (const auto& m : info.metrics)
    os << "  " << m.name << "  " << (m.level == OutputLevel::Point ? "point" : "replication")
       << "  [" << or_dash(m.unit) << "]  " << m.description << "\n";
  if (!info.series.empty()) {
    os << "\nseries (series/<name> [points, replications, " << "length]; ask with [output] series):\n";
    for (const auto& s : info.series)
      os << "  " << s.name << "  length " << s.length_param << "  [" << or_dash(s.unit) << "]  "
         << s.description << "\n";
  }
  os << "\nstatus codes (results/status):\n  0  ok\n  1  a parameter is outside its declared range\n";
  for (const auto& [code, meaning] : info.status_codes) os << "  " << code << "  " << meaning << "\n";
  return os.str();
}

std::string describe_result_file(const std::string& path) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  if (H5::H5File::isHdf5(path.c_str()) <= 0) throw InputError(path + ": not an HDF5 file");
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
