#include "sensitivity_file.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <iterator>
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
  if (column.ends_with("_lo")) return "lower end of the interval (group attribute 'interval')";
  return "upper end of the interval (group attribute 'interval')";
}

// How the intervals were made, as the group's `interval` attribute says it.
std::string interval_name(std::uint64_t replicates) {
  return replicates >= 2 ? "student_t_over_replicates" : "percentile_bootstrap_over_rows";
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

// "output input first [lo, hi] total [lo, hi]" for each input of one output, and how many design
// rows they rest on when some were left out.
void add_output_rows(const H5::Group& output, const std::string& name,
                     const std::vector<std::string>& inputs, std::uint64_t n, std::string& out) {
  std::vector<std::vector<double>> columns;
  columns.reserve(std::size(kIndexColumns));
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
  std::uint64_t rows = n;  // format 2.2 files do not say
  if (output.attrExists("rows"))
    output.openAttribute("rows").read(H5::PredType::NATIVE_UINT64, &rows);
  if (rows > 0 && rows < n)  // 0: not yet computed, or no row defined (the indices say NaN)
    out += "    " + name + ": from " + std::to_string(rows) + " of " + std::to_string(n) +
           " design rows (the others have a point where it is undefined)\n";
}

// The table of sensitivity_table(), from HDF5 calls that may throw.
std::string sensitivity_rows(const std::string& path, const std::string& experiment) {
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group group = file.openGroup(experiment);
  if (!group.nameExists("sensitivity")) return "";
  const H5::Group sensitivity = group.openGroup("sensitivity");
  const auto inputs = read_names(sensitivity.openDataSet("inputs"));
  std::uint64_t n = 0;
  sensitivity.openAttribute("n").read(H5::PredType::NATIVE_UINT64, &n);
  double confidence = 0;
  sensitivity.openAttribute("confidence").read(H5::PredType::NATIVE_DOUBLE, &confidence);
  std::uint64_t replicates = 1;  // format 2.2 files: one shifted net, the row bootstrap
  if (sensitivity.attrExists("replicates"))
    sensitivity.openAttribute("replicates").read(H5::PredType::NATIVE_UINT64, &replicates);
  const std::string percent = std::to_string(static_cast<int>(std::lround(100 * confidence)));
  std::string out =
      "  sensitivity (Sobol indices, " + percent +
      (replicates >= 2 ? "% intervals from the spread of " + std::to_string(replicates) +
                             " independent replicates of the design (Student t)"
                       : "% bootstrap intervals, conservative on the Sobol design") +
      "; NaN until the file is complete, or where no design row had every point defined):\n";
  char header[128];
  std::snprintf(header, sizeof header, "    %-20s %-12s %s\n", "output", "input",
                "first [lo, hi]             total [lo, hi]");
  out += header;
  for (hsize_t i = 0; i < sensitivity.getNumObjs(); ++i) {
    const std::string name = sensitivity.getObjnameByIdx(i);
    if (sensitivity.childObjType(name) == H5O_TYPE_GROUP)
      add_output_rows(sensitivity.openGroup(name), name, inputs, n, out);
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
  const std::uint64_t replicates = s->design_replicates();
  set_attr(group, "replicates", replicates, H5::PredType::NATIVE_UINT64);
  set_attr(group, "interval", interval_name(replicates));
  const std::uint64_t resamples =
      replicates >= 2 ? 0 : s->bootstrap.value_or(SensitivitySpec::kDefaultBootstrap);
  set_attr(group, "bootstrap", resamples, H5::PredType::NATIVE_UINT64);
  set_attr(group, "confidence", s->confidence, H5::PredType::NATIVE_DOUBLE);
  write_input_names(group, *s);
  const std::vector<double> unknown(s->ranges.size(), kNaN);
  for (const std::size_t m : sensitivity_outputs(layout)) {
    H5::Group output = group.createGroup(layout.info->metrics[m].name);
    set_attr(output, "rows", std::uint64_t{0}, H5::PredType::NATIVE_UINT64);
    for (const char* column : kIndexColumns) {
      H5::DataSet ds =
          make_dataset(output, column, H5::PredType::NATIVE_DOUBLE, {unknown.size()}, &kNaN, {});
      write_column(ds, unknown);
      describe(ds, column_description(column), "1");
    }
  }
}

namespace {

// Without common random numbers each point's mean carries its own Monte Carlo noise, which the
// estimators' differences do not cancel: it adds to V and to every total index.
void warn_of_independent_noise(const FileLayout& layout) {
  if (layout.experiment->common_random_numbers) return;
  std::string noisy;
  for (const std::size_t m : sensitivity_outputs(layout))
    if (layout.info->metrics[m].level == OutputLevel::Replication)
      noisy += (noisy.empty() ? "" : ", ") + layout.info->metrics[m].name;
  if (!noisy.empty())
    spdlog::warn(
        "sensitivity: {} simulated without common_random_numbers: their Monte Carlo noise adds "
        "to every total index (set common_random_numbers = true in [experiment])",
        noisy);
}

}  // namespace

void write_sensitivity(H5::Group& experiment_group, const FileLayout& layout) {
  const auto& s = layout.experiment->sensitivity;
  if (!s) return;
  warn_of_independent_noise(layout);
  const SobolIntervalOptions options{s->design_replicates(),
                                     s->bootstrap.value_or(SensitivitySpec::kDefaultBootstrap),
                                     s->confidence, layout.experiment->seed};
  for (const std::size_t m : sensitivity_outputs(layout)) {
    const std::string name = layout.info->metrics[m].name;
    const auto f = read_column(experiment_group.openDataSet("results/" + name + "/mean"));
    const SobolIndices indices = sobol_indices(f, s->ranges.size(), options);
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
    const std::uint64_t rows = indices.rows;
    experiment_group.openGroup("sensitivity/" + name)
        .openAttribute("rows")
        .write(H5::PredType::NATIVE_UINT64, &rows);
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
