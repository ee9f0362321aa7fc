#include "result_layout.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include "hdf5_interface.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/result_check.hpp"

namespace tariffsim::detail {

namespace {

DatasetSpec real_set(std::string path, std::vector<hsize_t> dims, std::vector<std::string> axes) {
  return {std::move(path), H5T_FLOAT, 8, true, std::move(dims), std::move(axes), {}};
}
DatasetSpec int_set(std::string path, std::size_t size, bool is_signed, hsize_t P) {
  return {std::move(path), H5T_INTEGER, size, is_signed, {P}, {kPointAxis}, {}};
}

void add_params(const FileLayout& layout, std::vector<DatasetSpec>& out) {
  const hsize_t P = layout.n_points;
  out.push_back({kPointAxis, H5T_INTEGER, 8, false, {P}, {}, "point"});
  const auto varied = varied_params(*layout.experiment, *layout.info);
  for (std::size_t p = 0; p < layout.info->params.size(); ++p) {
    const ParamSpec& spec = layout.info->params[p];
    const std::string path = "points/" + spec.name;
    switch (spec.type) {
      case ParamType::Real:
        out.push_back(real_set(path, {P}, {kPointAxis}));
        break;
      case ParamType::Integer:
        out.push_back(int_set(path, 8, true, P));
        break;
      case ParamType::Bool:
        out.push_back(int_set(path, 1, false, P));
        break;
      case ParamType::Enum:
      case ParamType::RealList:
        out.push_back({path,
                       H5T_STRING,
                       std::max<std::size_t>(1, parameter_text_width(spec, *layout.experiment)),
                       false,
                       {P},
                       {kPointAxis},
                       {}});
        break;
    }
    out.back().may_be_unwritten = std::find(varied.begin(), varied.end(), p) == varied.end();
  }
}

// results/<m>/: the value of a point-level output; the statistics of a replication-level one.
void add_results(const FileLayout& layout, std::vector<DatasetSpec>& out) {
  const hsize_t P = layout.n_points;
  const auto& probs = layout.experiment->output.quantiles;
  for (const std::size_t m : layout.metrics) {
    const auto& metric = layout.info->metrics[m];
    const std::string base = "results/" + metric.name + "/";
    out.push_back(real_set(base + "mean", {P}, {kPointAxis}));
    if (metric.level == OutputLevel::Point) continue;
    for (const std::size_t s : layout.statistics) {
      const KeptStatistic& stat = kKeptStatistics[s];
      const std::string path = base + std::string(stat.name);
      out.push_back(stat.real ? real_set(path, {P}, {kPointAxis}) : int_set(path, 8, false, P));
    }
    if (!probs.empty())
      out.push_back(real_set(base + "q", {P, probs.size()}, {kPointAxis, kQuantileAxis}));
  }
  out.push_back(int_set("results/status", 4, true, P));
}

void add_per_replication(const FileLayout& layout, std::vector<DatasetSpec>& out) {
  const hsize_t P = layout.n_points, R = layout.stored_replications;
  const auto& info = *layout.info;
  for (const std::size_t m : layout.replication_metrics)
    out.push_back(
        real_set("replications/" + info.metrics[m].name, {P, R}, {kPointAxis, kReplicationAxis}));
  for (std::size_t s = 0; s < layout.series.size(); ++s)
    out.push_back(real_set("series/" + info.series[layout.series[s]].name,
                           {P, R, layout.series_length[s]},
                           {kPointAxis, kReplicationAxis, period_axis(layout, s)}));
}

// The scales under axes/ that some dataset of the layout uses: 0, 1, ... along replications and
// periods, the probabilities along quantiles.
void add_axes(const std::vector<DatasetSpec>& datasets, const FileLayout& layout,
              std::vector<DatasetSpec>& out) {
  std::set<std::string> used;
  for (const auto& d : datasets)
    for (std::size_t k = 1; k < d.axes.size(); ++k) used.insert(d.axes[k]);
  if (used.count(kReplicationAxis))
    out.push_back(
        {kReplicationAxis, H5T_INTEGER, 8, false, {layout.stored_replications}, {}, "replication"});
  if (used.count(kQuantileAxis)) {
    DatasetSpec probs = real_set(kQuantileAxis, {layout.experiment->output.quantiles.size()}, {});
    probs.axis_label = "quantile";
    out.push_back(std::move(probs));
  }
  for (std::size_t s = 0; s < layout.series.size(); ++s) {
    const std::string path = period_axis(layout, s);
    if (!used.erase(path)) continue;  // one scale per distinct length
    out.push_back({path, H5T_INTEGER, 8, false, {layout.series_length[s]}, {}, "period"});
  }
}

// sensitivity/: the input names and each analysed output's indices, [k] each.
void add_sensitivity(const FileLayout& layout, std::vector<DatasetSpec>& out) {
  const auto& sensitivity = layout.experiment->sensitivity;
  if (!sensitivity) return;
  const hsize_t k = sensitivity->ranges.size();
  out.push_back(
      {"sensitivity/inputs", H5T_STRING, input_name_width(*sensitivity), false, {k}, {}, {}});
  for (const std::size_t m : sensitivity_outputs(layout))
    for (const char* column : kIndexColumns)
      out.push_back(
          real_set("sensitivity/" + layout.info->metrics[m].name + "/" + column, {k}, {}));
}

}  // namespace

std::vector<std::size_t> sensitivity_outputs(const FileLayout& layout) {
  const auto& sensitivity = layout.experiment->sensitivity;
  if (!sensitivity) return {};
  if (sensitivity->outputs.empty()) return layout.metrics;
  std::vector<std::size_t> out;
  for (const auto& name : sensitivity->outputs) out.push_back(*layout.info->metric_index(name));
  return out;
}

std::size_t input_name_width(const SensitivitySpec& sensitivity) {
  std::size_t width = 1;
  for (const auto& range : sensitivity.ranges) width = std::max(width, range.name.size());
  return width;
}

std::string period_axis(const FileLayout& layout, std::size_t s) {
  const auto& lengths = layout.series_length;
  const bool one_length = std::all_of(lengths.begin(), lengths.end(),
                                      [&](std::uint64_t T) { return T == lengths.front(); });
  return one_length ? std::string("axes/period") : "axes/period_" + std::to_string(lengths.at(s));
}

bool is_point_indexed(const std::string& path) {
  return path.rfind("axes/", 0) != 0 && path.rfind("sensitivity/", 0) != 0;
}

std::vector<DatasetSpec> dataset_specs(const FileLayout& layout) {
  std::vector<DatasetSpec> out;
  add_params(layout, out);
  add_results(layout, out);
  add_per_replication(layout, out);
  add_sensitivity(layout, out);
  out.push_back(int_set("status/done", 1, false, layout.n_points));
  out.push_back(int_set("status/replications", 8, false, layout.n_points));
  add_axes(std::vector<DatasetSpec>(out), layout, out);
  return out;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
constexpr std::size_t kUtcWidth = 20;  // "2026-12-06T19:00:00Z"
}

void create_finished_utc(H5::H5File& file) {
  const H5::StrType type = fixed_string_type(kUtcWidth);
  const std::string empty(kUtcWidth, '\0');
  file.createAttribute("finished_utc", type, H5::DataSpace(H5S_SCALAR)).write(type, empty.data());
}

void write_finished_utc(H5::H5File& file) {
  // A file of format 2.0 (resumed by this build) has none, and adding one now would change
  // metadata at the last moment of the run; its readers show no run time.
  if (!file.attrExists("finished_utc")) return;
  H5::Attribute a = file.openAttribute("finished_utc");
  std::string now = utc_now();
  now.resize(kUtcWidth, '\0');
  a.write(a.getStrType(), now.data());
}

}  // namespace tariffsim::detail
