#include "tariffsim/inspect.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sensitivity_file.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/search.hpp"

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
  os << info.name << " " << info.version << "\n  " << info.description
     << "\n  citation: " << info.citation << "\n  "
     << (info.stochastic ? "stochastic" : "deterministic") << "\n\n";
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
  os << "\noutputs (in the file: results/<name>/mean, the value, for a point-level output; mean, "
        "sd, se, n, min, max for a replication-level one, or those [output] statistics keeps):\n";
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
  for (const auto& [code, meaning] : info.status_codes)
    rows.push_back({std::to_string(code), meaning});
  os << aligned(rows);
  return os.str();
}

namespace {

// What info says from the stored config read with this build's model: how many replications the
// points ran (" x R replications", or none: a run of point-level outputs only, since format 2.4;
// an earlier build ran the configured ones even so), and notes on their own lines. The layout is
// checked against the config; a file of a model (or model version) this build lacks is still
// described, from its own data. A [search] file's note says what was searched (this build's
// model knows whether the searched output is point- or replication-level; the file holds only
// the search's outputs).
struct StoredNotes {
  std::string replications;
  std::string notes;
};

StoredNotes stored_notes(const CheckedResultFile& file, const Registry& registry) {
  const ResultHeader& h = file.header();
  StoredNotes out{" x " + std::to_string(h.replications) + " replications", ""};
  if (!registry.contains(h.model)) {
    out.notes = "  layout not checked: this build has no model " + h.model + "\n";
    return out;
  }
  const std::string version = registry.create(h.model)->info().version;
  if (version != h.model_version) {
    out.notes = "  layout not checked: this build has " + h.model + " " + version + ", the file " +
                h.model_version + "\n";
    return out;
  }
  const auto stored = stored_experiment(file, registry);
  file.check_layout(stored->layout);
  if (!stored->layout.runs_replications && h.format_minor >= kFormatNoReplicationsMinor)
    out.replications = ", point-level outputs only (no replications run: status/replications 0)";
  if (const auto* search = dynamic_cast<const SearchModel*>(stored->model.get()))
    out.notes = std::string("  ") + search_plan(*search) + "\n";
  return out;
}

}  // namespace

std::string describe_result_file(const std::string& path, const Registry& registry) {
  const CheckedResultFile file(path, "info:");
  const ResultHeader& h = file.header();
  const StoredNotes stored = stored_notes(file, registry);
  std::ostringstream os;
  os << path << "\n  format tariffsim " << h.format_version << ", written by tariffsim "
     << h.tariffsim_version << " (" << h.git_commit << ") at " << h.created_utc
     << (h.finished_utc.empty() ? "" : ", complete at " + h.finished_utc)
     << "\n  command: " << h.command_line << "\n";
  // Counts come from status/done, whose length the check matched to n_points: a file is
  // COMPLETE only if its flag says so and every point is done (CheckedResultFile refuses a flag
  // the bitmap contradicts).
  os << "\nexperiment " << h.experiment << ": model " << h.model << " " << h.model_version
     << ", seed " << h.seed << ", " << h.n_points << " points" << stored.replications << "\n  "
     << (h.complete ? "COMPLETE" : "INCOMPLETE") << ": " << file.done_count() << "/"
     << file.done().size() << " points done; config sha256 " << h.config_sha256 << "\n"
     << stored.notes << shard_progress(h.shard_index, h.shard_count, h.n_points, file.done());
  for (const char* section : {"points", "results", "replications", "series", "axes"}) {
    const auto names = file.members(section);
    if (names.empty()) continue;
    os << "  " << section << ":";
    for (const auto& m : names) os << " " << m;
    os << "\n";
  }
  os << detail::sensitivity_table(path, h.experiment);
  return os.str();
}

}  // namespace tariffsim
