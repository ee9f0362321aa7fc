#include "sensitivity_file.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "hdf5_interface.hpp"
#include "result_layout.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/sensitivity.hpp"

namespace tariffsim::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* column_description(const std::string& column) {
  if (column == "first") return "first-order Sobol index (Saltelli 2010), per input";
  if (column == "total") return "total Sobol index (Jansen 1999), per input";
  if (column.ends_with("_lo")) return "lower end of the bootstrap percentile interval, per input";
  return "upper end of the bootstrap percentile interval, per input";
}

void write_column(H5::DataSet& ds, const std::vector<double>& values) {
  write_rows(ds, 0, values.size(), values.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_input_names(H5::Group& group, const SensitivitySpec& s) {
  const std::size_t width = input_name_width(s);
  std::string packed(width * s.ranges.size(), '\0');
  for (std::size_t i = 0; i < s.ranges.size(); ++i)
    packed.replace(i * width, s.ranges[i].name.size(), s.ranges[i].name);
  H5::DataSet ds =
      make_dataset(group, "inputs", fixed_string_type(width), {s.ranges.size()}, nullptr, {});
  write_rows(ds, 0, s.ranges.size(), packed.data(), fixed_string_type(width));
  describe(ds, "the inputs, in the order of every index column", "");
}

std::vector<double> read_column(const H5::DataSet& ds) {
  std::vector<double> values(dims_of(ds).at(0));
  if (!values.empty()) ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

std::vector<std::string> read_names(const H5::DataSet& ds) {
  const std::size_t width = ds.getDataType().getSize();
  const std::size_t n = dims_of(ds).at(0);
  std::string packed(width * n, '\0');
  if (n > 0) ds.read(packed.data(), ds.getDataType());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = packed.substr(i * width, width);
    name.resize(name.find('\0') == std::string::npos ? width : name.find('\0'));
    names.push_back(name);
  }
  return names;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

// "output input first [lo, hi] total [lo, hi]" for each input of one output.
void add_output_rows(const H5::Group& output, const std::string& name,
                     const std::vector<std::string>& inputs, std::string& out) {
  std::vector<std::vector<double>> columns;
  for (const char* column : kIndexColumns)
    columns.push_back(read_column(output.openDataSet(column)));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    char line[256];
    std::snprintf(line, sizeof line, "    %-20s %-12s %s [%s, %s]   %s [%s, %s]\n", name.c_str(),
                  inputs[i].c_str(), number(columns[0][i]).c_str(), number(columns[1][i]).c_str(),
                  number(columns[2][i]).c_str(), number(columns[3][i]).c_str(),
                  number(columns[4][i]).c_str(), number(columns[5][i]).c_str());
    out += line;
  }
}

// The table of sensitivity_table(), from HDF5 calls that may throw.
std::string sensitivity_rows(const std::string& path, const std::string& experiment) {
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group group = file.openGroup(experiment);
  if (!group.nameExists("sensitivity")) return "";
  const H5::Group sensitivity = group.openGroup("sensitivity");
  const auto inputs = read_names(sensitivity.openDataSet("inputs"));
  double confidence = 0;
  sensitivity.openAttribute("confidence").read(H5::PredType::NATIVE_DOUBLE, &confidence);
  std::string out =
      "  sensitivity (Sobol indices, " +
      std::to_string(static_cast<int>(std::lround(100 * confidence))) +
      "% bootstrap intervals, conservative on the Sobol design; NaN until the file is "
      "complete, or where no design row had every point defined):\n";
  char header[128];
  std::snprintf(header, sizeof header, "    %-20s %-12s %s\n", "output", "input",
                "first [lo, hi]             total [lo, hi]");
  out += header;
  for (hsize_t i = 0; i < sensitivity.getNumObjs(); ++i) {
    const std::string name = sensitivity.getObjnameByIdx(i);
    if (sensitivity.childObjType(name) == H5O_TYPE_GROUP)
      add_output_rows(sensitivity.openGroup(name), name, inputs, out);
  }
  return out;
}

}  // namespace

void create_sensitivity(H5::Group& experiment_group, const FileLayout& layout) {
  const auto& s = layout.experiment->sensitivity;
  if (!s) return;
  H5::Group group = experiment_group.createGroup("sensitivity");
  set_attr(group, "method", "sobol");
  set_attr(group, "n", s->n, H5::PredType::NATIVE_UINT64);
  set_attr(group, "bootstrap", s->bootstrap, H5::PredType::NATIVE_UINT64);
  set_attr(group, "confidence", s->confidence, H5::PredType::NATIVE_DOUBLE);
  write_input_names(group, *s);
  const std::vector<double> unknown(s->ranges.size(), kNaN);
  for (const std::size_t m : sensitivity_outputs(layout)) {
    H5::Group output = group.createGroup(layout.info->metrics[m].name);
    for (const char* column : kIndexColumns) {
      H5::DataSet ds =
          make_dataset(output, column, H5::PredType::NATIVE_DOUBLE, {unknown.size()}, &kNaN, {});
      write_column(ds, unknown);
      describe(ds, column_description(column), "1");
    }
  }
}

void write_sensitivity(H5::Group& experiment_group, const FileLayout& layout) {
  const auto& s = layout.experiment->sensitivity;
  if (!s) return;
  const BootstrapOptions bootstrap{s->bootstrap, s->confidence, layout.experiment->seed};
  for (const std::size_t m : sensitivity_outputs(layout)) {
    const std::string name = layout.info->metrics[m].name;
    const auto f = read_column(experiment_group.openDataSet("results/" + name + "/mean"));
    const SobolIndices indices = sobol_indices(f, s->ranges.size(), bootstrap);
    // The indices of a subset of rows are those of the inputs conditional on the output being
    // defined, and the inputs are no longer independent there: say so where it happens.
    if (indices.rows < s->n)
      spdlog::warn(
          "sensitivity: {}: indices from {} of {} design rows (a row is left out when "
          "any of its {} points has NaN: the output undefined there, or the point failed)",
          name, indices.rows, s->n, s->ranges.size() + 2);
    const std::vector<double>* columns[] = {&indices.first, &indices.first_lo, &indices.first_hi,
                                            &indices.total, &indices.total_lo, &indices.total_hi};
    for (std::size_t c = 0; c < kIndexColumns.size(); ++c) {
      H5::DataSet ds = experiment_group.openDataSet("sensitivity/" + name + "/" + kIndexColumns[c]);
      write_column(ds, *columns[c]);
    }
  }
}

std::string sensitivity_table(const std::string& path, const std::string& experiment) {
  try {
    return sensitivity_rows(path, experiment);
  } catch (const H5::Exception& e) {
    throw InputError("info: " + path +
                     ": sensitivity/ cannot be read (damaged?): " + hdf5_cause(e));
  } catch (const InputError& e) {
    throw InputError("info: " + path + ": " + e.what());
  }
}

}  // namespace tariffsim::detail
