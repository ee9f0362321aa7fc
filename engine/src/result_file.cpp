// The streaming writer of result files (format version 2, FORMAT.md): the layout created under a
// temporary name and renamed, then batches written in the order that survives a kill.
#include "tariffsim/result_file.hpp"

#include <H5Cpp.h>
#include <hdf5_hl.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>
#include <variant>

#include "hdf5_interface.hpp"
#include "kill_hook.hpp"
#include "result_layout.hpp"
#include "result_resume.hpp"
#include "sensitivity_file.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/sha256.hpp"

namespace tariffsim {

using detail::attach_axis;
using detail::Chunking;
using detail::create_finished_utc;
using detail::describe;
using detail::fixed_string_type;
using detail::kAdaptiveChunkElements;
using detail::kChunkElements;
using detail::kColumnChunk;
using detail::kMinColumnChunk;
using detail::make_dataset;
using detail::set_attr;
using detail::signal_here_if_asked;
using detail::utc_now;
using detail::utf8_string_type;
using detail::write_finished_utc;
using detail::write_rows;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Rewrites rows [first, last) of a point column with what they read as, the fill value.
void rewrite_rows(const H5::DataSet& ds, hsize_t first, hsize_t last) {
  const H5::DataType type = ds.getDataType();
  const auto dims = detail::dims_of(ds);
  std::vector<char> buffer;
  detail::for_each_piece(ds, first, last - first, dims.size() >= 2 ? dims[1] : 0,
                         [&](hsize_t row, hsize_t rows, hsize_t col, hsize_t cols) {
                           const detail::RowSlab slab(ds, row, rows, col, cols);
                           buffer.resize(slab.elements * type.getSize());
                           ds.read(buffer.data(), type, slab.memory, slab.file);
                           ds.write(buffer.data(), type, slab.memory, slab.file);
                         });
}

// Writes zeros into the first of rows [first, last) and the first row of each later chunk, in
// one call: this allocates the chunks of an unfilled column, into which HDF5 writes that row only.
void touch_chunks(const H5::DataSet& ds, hsize_t first, hsize_t last) {
  std::array<hsize_t, 2> chunk{1, 1}, dims{1, 1};  // a point column has one or two dimensions
  ds.getCreatePlist().getChunk(static_cast<int>(chunk.size()), chunk.data());
  H5::DataSpace file = ds.getSpace();
  file.getSimpleExtentDims(dims.data());
  const std::array<hsize_t, 2> one{1, 1}, row{1, dims[1]}, stride{chunk[0], 1};
  std::array<hsize_t, 2> start{first, 0};
  file.selectHyperslab(H5S_SELECT_SET, one.data(), start.data(), nullptr, row.data());
  hsize_t rows = 1;
  start[0] = (first / chunk[0] + 1) * chunk[0];
  if (start[0] < last) {
    const std::array<hsize_t, 2> count{(last - 1 - start[0]) / chunk[0] + 1, 1};
    file.selectHyperslab(H5S_SELECT_OR, count.data(), start.data(), stride.data(), row.data());
    rows += count[0];
  }
  const H5::DataType type = ds.getDataType();
  const hsize_t elements = rows * dims[1];
  const std::vector<char> zeros(elements * type.getSize(), 0);
  ds.write(zeros.data(), type, H5::DataSpace(1, &elements), file);
}

// Allocates exactly the chunks that hold rows [first, last) of a point column. Done at creation,
// under the temporary name, for the rows the file will hold, so that a batch later writes bytes
// in place and changes no HDF5 metadata, which a kill in the middle of a flush could leave torn
// (FORMAT.md, "Surviving a kill"); a shard's file thus takes the space of its own rows, not of
// every point's. The status columns' rows are written with their fill values; the others' chunks
// are only allocated, their rows taking disk space when their batch writes them. A column that
// HDF5 allocated whole when it was made (the file holds every row) needs nothing: HDF5 wrote a
// status column's fill values as it allocated each chunk (here, they were read and written back
// through a buffer of the whole column: 37 ms of a 10^6-point run), and touching an unfilled
// column would make a page of each chunk dirty, which the creation's fsync then waits for (a tenth
// of a second of a 10^6-point deremer run).
void allocate_rows(const H5::DataSet& ds, hsize_t first, hsize_t last) {
  if (first >= last) return;
  const H5::DSetCreatPropList plist = ds.getCreatePlist();
  if (plist.getAllocTime() == H5D_ALLOC_TIME_EARLY) return;
  if (plist.getFillTime() == H5D_FILL_TIME_NEVER)
    touch_chunks(ds, first, last);
  else
    rewrite_rows(ds, first, last);
}

// Whether two enum or list values print the same: lists compared bit by bit (-0.0 == 0.0, but
// they print differently).
bool same_text(const Value& a, const Value& b) {
  const auto* x = std::get_if<std::vector<double>>(&a);
  const auto* y = std::get_if<std::vector<double>>(&b);
  if (x && y)
    return x->size() == y->size() &&
           std::memcmp(x->data(), y->data(), x->size() * sizeof(double)) == 0;
  return a == b;
}

// Writes the replications that were run of points [first, first + run.size()) to a dataset whose
// dimension 1 is the replication axis (replications/, series/); point i ran run[i] of them.
// `copy(i, col, cols, dst)` puts point i's columns [col, col + cols) in dst. Columns beyond a
// point's extent (replication_extent) are not written and read as the NaN fill value.
using CopyColumns = std::function<void(std::size_t, hsize_t, hsize_t, double*)>;
void write_replication_rows(H5::DataSet& ds, hsize_t first, const std::vector<std::uint64_t>& run,
                            const CopyColumns& copy) {
  const hsize_t rest = detail::RowSlab(ds, 0, 1, 0, 1).elements;
  std::vector<double> buffer;
  for (std::size_t i = 0; i < run.size();) {
    std::size_t j = i + 1;  // one write per run of points with the same replication count
    while (j < run.size() && run[j] == run[i]) ++j;
    const hsize_t extent = run[i] ? detail::replication_extent(ds, run[i]) : 0;
    if (extent > 0) {
      detail::for_each_piece(
          ds, first + i, j - i, extent, [&](hsize_t row, hsize_t rows, hsize_t col, hsize_t cols) {
            buffer.assign(rows * cols * rest, kNaN);
            for (hsize_t p = 0; p < rows; ++p) {
              const std::size_t point = static_cast<std::size_t>(row - first + p);
              const hsize_t have = std::min<hsize_t>(cols, run[point] > col ? run[point] - col : 0);
              if (have > 0) copy(point, col, have, buffer.data() + p * cols * rest);
            }
            const detail::RowSlab slab(ds, row, rows, col, cols);
            ds.write(buffer.data(), H5::PredType::NATIVE_DOUBLE, slab.memory, slab.file);
          });
    }
    i = j;
  }
}

// The datasets of one kept output. A point-level output has only `mean` (its value); the others
// stay empty handles (id 0), as do the statistics [output] statistics does not keep.
struct MetricSets {
  std::size_t index = 0;  // in info.metrics
  bool point_level = false;
  H5::DataSet mean, q, replications;
  std::array<H5::DataSet, kKeptStatistics.size()> stats;  // in the order of kKeptStatistics
};

}  // namespace

struct ResultFile::Impl {
  std::optional<H5::H5File> file;  // optional: the HDF5 C++ handles are not meant to be reassigned
  std::optional<H5::Group> group;
  FileLayout layout;
  H5::DataSet index, status, done, replications_run;
  std::uint64_t batches_written = 0;  // by this process: numbers the batches for the test hook
  std::vector<H5::DataSet> params;
  std::vector<MetricSets> metrics;
  std::vector<H5::DataSet> series;
  bool failed = false;  // a write failed: closing the handles will fail too (see ~ResultFile)

  void create_points(H5::Group& points);
  H5::DataType param_type(std::size_t p) const;
  std::vector<char> value_bytes(std::size_t p) const;
  void work_out_fixed();
  bool written_point_by_point(std::size_t p, const H5::DataSet& ds) const;
  // [params]: the bytes every row of a parameter the design does not vary reads as; empty for one
  // it varies. Worked out once, when the file is created or opened.
  std::vector<std::vector<char>> fixed;
  std::vector<std::size_t> varied;  // the parameters the design varies: a batch's values, in order
  std::vector<bool> param_written;  // [params]: false for a column that reads as its fill value
  void create_results(H5::Group& results);
  MetricSets create_metric(H5::Group& results, std::size_t k) const;
  void create_status_codes(H5::Group& results);
  H5::FileAccPropList file_access() const;
  void open_new(const std::string& path);
  void write_root_attributes();
  void write_experiment_attributes(H5::Group& g);
  void create_per_replication(H5::Group& g);
  void create_status(H5::Group& g);
  void write_layout(const std::string& path);
  void allocate_own_rows();
  std::vector<const H5::DataSet*> point_columns() const;
  std::uint64_t unfilled_row_bytes();
  std::optional<std::uint64_t> row_bytes;  // unfilled_row_bytes, worked out once
  // Rows per chunk of the point columns: a shard's file allocates whole chunks around its rows,
  // so shards get chunks of a quarter of their share (at least kMinColumnChunk rows), not the
  // whole run's kColumnChunk.
  hsize_t column_rows = kColumnChunk;
  // What a point column's rows hold before their batch writes them. The status columns hold
  // their fill values (not computed, not done) from creation on: whoever reads an incomplete file
  // goes by them. A parameter the design does not vary is never written (no chunk): every row
  // reads as its fill value. The others are read only where status/done says they are written, so
  // their chunks are allocated without fill values (FORMAT.md, "Surviving a kill").
  enum class Unwritten { HoldsFill, ReadAsFill, Unspecified };
  // A point column: chunked by column_rows; compressed only where the layout allows it.
  H5::DataSet column(H5::Group& g, const std::string& name, const H5::DataType& type,
                     std::vector<hsize_t> dims, const void* fill,
                     Unwritten unwritten = Unwritten::Unspecified) const {
    Chunking how;
    how.column_rows = column_rows;
    how.unfilled = unwritten == Unwritten::Unspecified;
    how.allocate_early = layout.shard_count == 1 && unwritten != Unwritten::ReadAsFill;
    if (layout.compress_point_columns) how.deflate = layout.compression;
    return make_dataset(g, name, type, std::move(dims), fill, how);
  }
  void create_axes(H5::Group& g);
  void attach_axes(H5::Group& g);
  // A new file in two steps (ResultFile::Making): `temporary` names it until it is published.
  void begin_create(const std::string& path);
  void finish_create(const std::string& path, bool replace);
  std::string temporary;
  void open_existing(const std::string& path);
  void open_datasets();
  void write_params(const PointBatch& b);
  void write_varied(const PointBatch& b, std::size_t v);
  void write_metrics(const PointBatch& b);
  // writing_batch, rewritten in place (like complete): one small write a kill cannot tear.
  void set_writing_batch(std::uint8_t value) {
    group->openAttribute("writing_batch").write(H5::PredType::NATIVE_UINT8, &value);
  }
};

// The file type of parameter p's column.
H5::DataType ResultFile::Impl::param_type(std::size_t p) const {
  const ParamSpec& spec = layout.info->params[p];
  switch (spec.type) {
    case ParamType::Real:
      return H5::PredType::NATIVE_DOUBLE;
    case ParamType::Integer:
      return H5::PredType::NATIVE_INT64;
    case ParamType::Bool:
      return H5::PredType::NATIVE_UINT8;
    case ParamType::Enum:
    case ParamType::RealList:
      break;
  }
  return fixed_string_type(parameter_text_width(spec, *layout.experiment));
}

// The bytes of parameter p's value at every point of a design that does not vary it (its
// [parameters] value or the model's default), as its column stores them.
std::vector<char> ResultFile::Impl::value_bytes(std::size_t p) const {
  const Value value = fixed_value(*layout.experiment, *layout.info, p);
  std::vector<char> bytes(param_type(p).getSize(), '\0');
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>) {
          std::memcpy(bytes.data(), &x, sizeof x);
        } else if constexpr (std::is_same_v<T, bool>) {
          bytes[0] = static_cast<char>(x);
        } else {
          const std::string text = parameter_text(value);
          std::copy_n(text.data(), std::min(bytes.size(), text.size()), bytes.data());
        }
      },
      value);
  return bytes;
}

void ResultFile::Impl::work_out_fixed() {
  varied = varied_params(*layout.experiment, *layout.info);
  fixed.assign(layout.info->params.size(), {});
  for (std::size_t p = 0; p < fixed.size(); ++p)
    if (std::find(varied.begin(), varied.end(), p) == varied.end()) fixed[p] = value_bytes(p);
}

// A parameter the design does not vary is stored as its column's fill value, never written: every
// row reads as it, and the column takes no space.
void ResultFile::Impl::create_points(H5::Group& points) {
  const auto& info = *layout.info;
  const hsize_t P = layout.n_points;
  index = column(points, "index", H5::PredType::NATIVE_UINT64, {P}, nullptr);
  describe(index, "global index of the point in the experiment's design", "");
  work_out_fixed();
  for (std::size_t p = 0; p < info.params.size(); ++p) {
    const ParamSpec& spec = info.params[p];
    const bool real = spec.type == ParamType::Real;
    H5::DataSet ds =
        fixed[p].empty()
            ? column(points, spec.name, param_type(p), {P}, real ? &kNaN : nullptr)
            : column(points, spec.name, param_type(p), {P}, fixed[p].data(), Unwritten::ReadAsFill);
    describe(ds, spec.description, spec.unit);
    set_attr(ds, "type", to_string(spec.type));
    params.push_back(ds);
    param_written.push_back(fixed[p].empty());
  }
}

// Whether parameter p's column is written point by point: not where it reads as the value every
// point has, its fill value (a file of an earlier build wrote every parameter's column).
bool ResultFile::Impl::written_point_by_point(std::size_t p, const H5::DataSet& ds) const {
  if (fixed[p].empty()) return true;
  const H5::DSetCreatPropList plist = ds.getCreatePlist();
  H5D_fill_value_t defined{};
  H5Pfill_value_defined(plist.getId(), &defined);
  if (defined != H5D_FILL_VALUE_USER_DEFINED) return true;
  std::vector<char> fill(fixed[p].size());
  plist.getFillValue(param_type(p), fill.data());
  return fill != fixed[p];
}

// results/<m>/ of one kept output: a point-level output's value, a replication-level one's
// statistics.
MetricSets ResultFile::Impl::create_metric(H5::Group& results, std::size_t k) const {
  const auto& m = layout.info->metrics[k];
  const hsize_t P = layout.n_points;
  const auto& probs = layout.experiment->output.quantiles;
  H5::Group g = results.createGroup(m.name);
  set_attr(g, "description", m.description);
  set_attr(g, "unit", m.unit.empty() ? "1" : m.unit);
  set_attr(g, "level", m.level == OutputLevel::Point ? "point" : "replication");
  MetricSets s;
  s.index = k;
  s.point_level = m.level == OutputLevel::Point;
  if (s.point_level) {
    // One value per point (a closed form): its spread, count and extremes would only repeat it.
    s.mean = column(g, "mean", H5::PredType::NATIVE_DOUBLE, {P}, &kNaN);
    describe(s.mean, m.description + " (the point's value; NaN where status is not 0)", m.unit);
    return s;
  }
  s.mean = column(g, "mean", H5::PredType::NATIVE_DOUBLE, {P}, &kNaN);
  describe(s.mean, "mean of " + m.name + " over replications", m.unit);
  const std::uint64_t zero = 0;
  for (const std::size_t j : layout.statistics) {
    const KeptStatistic& stat = kKeptStatistics[j];
    const std::string name(stat.name), what(stat.what);
    if (stat.real) {
      s.stats[j] = column(g, name, H5::PredType::NATIVE_DOUBLE, {P}, &kNaN);
      describe(s.stats[j], what + " of " + m.name + " over replications", m.unit);
    } else {
      s.stats[j] = column(g, name, H5::PredType::NATIVE_UINT64, {P}, &zero);
      describe(s.stats[j], what + " of " + m.name, "");
    }
  }
  if (!probs.empty()) {
    s.q = column(g, "q", H5::PredType::NATIVE_DOUBLE, {P, probs.size()}, &kNaN);
    describe(s.q, "quantiles of " + m.name + " at the probabilities in attribute probs", m.unit);
    const hsize_t qn = probs.size();
    s.q.createAttribute("probs", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &qn))
        .write(H5::PredType::NATIVE_DOUBLE, probs.data());
  }
  return s;
}

// results/status, with the meaning of every code as attributes.
void ResultFile::Impl::create_status_codes(H5::Group& results) {
  // Rows not written yet read as "not computed", never as "ok".
  const std::int32_t not_computed = kStatusNotComputed;
  status = column(results, "status", H5::PredType::NATIVE_INT32, {layout.n_points}, &not_computed,
                  Unwritten::HoldsFill);
  describe(status, "per-point status: 0 = ok; see attributes codes/meanings", "");
  std::map<int, std::string> codes = layout.info->status_codes;
  codes[kStatusOk] = "ok";
  codes[kStatusOutOfRange] = "a parameter is outside its declared range";
  codes[kStatusNotComputed] = "not computed yet (the run is incomplete)";
  codes[kStatusModelError] = "the model failed at this point (the run's log has the message)";
  std::vector<int> code_list;
  std::vector<const char*> meanings;
  std::string legend;
  for (const auto& [code, meaning] : codes) {
    code_list.push_back(code);
    meanings.push_back(meaning.c_str());
    legend += (legend.empty() ? "" : "; ") + std::to_string(code) + " = " + meaning;
  }
  const hsize_t nc = code_list.size();
  status.createAttribute("codes", H5::PredType::NATIVE_INT, H5::DataSpace(1, &nc))
      .write(H5::PredType::NATIVE_INT, code_list.data());
  status.createAttribute("meanings", utf8_string_type(), H5::DataSpace(1, &nc))
      .write(utf8_string_type(), meanings.data());
  set_attr(status, "legend", legend);
}

void ResultFile::Impl::create_results(H5::Group& results) {
  for (const std::size_t k : layout.metrics) metrics.push_back(create_metric(results, k));
  create_status_codes(results);
}

ResultFile::ResultFile(const std::string& path, const FileLayout& layout, Mode mode, Making making)
    : impl_(std::make_unique<Impl>()), path_(path), replace_(mode == Mode::Replace) {
  silence_hdf5_errors();
  impl_->layout = layout;
  try {
    if (mode == Mode::Resume) {
      impl_->open_existing(path);
    } else {
      impl_->begin_create(path);
      if (making == Making::Whole) impl_->finish_create(path, replace_);
    }
  } catch (...) {
    abandon();
    throw;
  }
}

void ResultFile::make_layout() {
  // HDF5's error stack is per thread, and a run makes its layout on a thread of its own.
  silence_hdf5_errors();
  try {
    impl_->finish_create(path_, replace_);
  } catch (...) {
    abandon();
    throw;
  }
}

// After a failure: the error says what failed; the handles' own close reports (a full disk fails
// the flush on close too) would only bury it. A temporary file never published holds nothing.
void ResultFile::abandon() noexcept {
  const detail::MutedCerr muted;
  const std::string temporary = impl_->temporary;
  impl_.reset();
  std::error_code ignored;
  if (!temporary.empty()) std::filesystem::remove(temporary, ignored);
}

void ResultFile::Impl::open_existing(const std::string& path) {
  detail::prepare_resume(path, layout);
  try {
    file.emplace(path, H5F_ACC_RDWR);
    group.emplace(file->openGroup(layout.experiment->name));
    open_datasets();
  } catch (const H5::Exception& e) {
    throw InputError(layout.resume_origin + ": cannot reopen '" + path +
                     "': " + detail::hdf5_cause(e));
  }
}

// The datasets of a file that check_resumable found to be of this layout.
void ResultFile::Impl::open_datasets() {
  const auto& exp = *layout.experiment;
  const auto& info = *layout.info;
  const H5::DSetAccPropList direct = detail::direct_access();
  const auto point_column = [&](const std::string& path) {
    return group->openDataSet(path, direct);
  };
  index = point_column("points/index");
  work_out_fixed();
  for (std::size_t p = 0; p < info.params.size(); ++p) {
    params.push_back(point_column("points/" + info.params[p].name));
    param_written.push_back(written_point_by_point(p, params.back()));
  }
  for (const std::size_t k : layout.metrics) {
    const auto& m = info.metrics[k];
    MetricSets ms;
    ms.index = k;
    ms.point_level = m.level == OutputLevel::Point;
    const std::string base = "results/" + m.name + "/";
    ms.mean = point_column(base + "mean");
    if (!ms.point_level) {
      for (const std::size_t j : layout.statistics)
        ms.stats[j] = point_column(base + std::string(kKeptStatistics[j].name));
      if (!exp.output.quantiles.empty()) ms.q = point_column(base + "q");
      if (exp.output.keep_replications && layout.stored_replications > 0)
        ms.replications = group->openDataSet("replications/" + m.name);
    }
    metrics.push_back(ms);
  }
  status = point_column("results/status");
  for (std::size_t s = 0; s < layout.series.size(); ++s)
    series.push_back(group->openDataSet("series/" + info.series[layout.series[s]].name));
  done = point_column("status/done");
  replications_run = point_column("status/replications");
}

// How a new file places what it allocates. Chunks of a float64 point column's size and up start on
// a page: a batch then writes whole pages of the page cache, which the kernel fills without
// reading or zeroing partial ones (a 10^6-point run took 2-4% less CPU; the file grows by about
// 48 KB). Smaller objects stay packed; compressed chunks, of any size, too.
H5::FileAccPropList ResultFile::Impl::file_access() const {
  H5::FileAccPropList access;
  constexpr hsize_t kPage = 4096, kColumnChunkBytes = kColumnChunk * sizeof(double);
  if (!layout.compress_point_columns) access.setAlignment(kColumnChunkBytes, kPage);
  return access;
}

// Creates the empty HDF5 file `temporary` for `path` (and the folders above it).
void ResultFile::Impl::open_new(const std::string& path) {
  try {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    file.emplace(temporary, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, file_access());
  } catch (const std::exception&) {
    throw InputError(layout.path_origin + ": cannot create '" + path +
                     "' (expected a writable path)");
  } catch (const H5::Exception&) {
    throw InputError(layout.path_origin + ": cannot create '" + path +
                     "' (expected a writable path to a file)");
  }
}

void ResultFile::Impl::write_root_attributes() {
  auto& f = *file;
  set_attr(f, "format", "tariffsim");
  const int version[2] = {kFormatMajor, kFormatMinor};
  const hsize_t two = 2;
  f.createAttribute("format_version", H5::PredType::NATIVE_INT, H5::DataSpace(1, &two))
      .write(H5::PredType::NATIVE_INT, version);
  set_attr(f, "tariffsim_version", TARIFFSIM_VERSION);
  set_attr(f, "git_commit", TARIFFSIM_GIT_COMMIT);
  set_attr(f, "kernel_isa", kernel_isa());
  set_attr(f, "created_utc", utc_now());
  create_finished_utc(f);
  set_attr(f, "command_line", layout.command_line);
}

void ResultFile::Impl::write_experiment_attributes(H5::Group& g) {
  const auto& info = *layout.info;
  const auto& exp = *layout.experiment;
  set_attr(g, "model", info.name);
  set_attr(g, "model_version", info.version);
  set_attr(g, "citation", info.citation);
  set_attr(g, "description", exp.description);
  set_attr(g, "seed", exp.seed, H5::PredType::NATIVE_UINT64);
  set_attr(g, "replications", exp.replications, H5::PredType::NATIVE_UINT64);
  set_attr(g, "max_replications", std::max(exp.replications, exp.precision.max_replications),
           H5::PredType::NATIVE_UINT64);
  set_attr(g, "block_size", std::uint64_t{exp.block_size}, H5::PredType::NATIVE_UINT64);
  set_attr(g, "common_random_numbers", std::uint8_t{exp.common_random_numbers},
           H5::PredType::NATIVE_UINT8);
  set_attr(g, "n_points", layout.n_points, H5::PredType::NATIVE_UINT64);
  set_attr(g, "config", exp.config_text);
  set_attr(g, "config_sha256", sha256_hex(exp.config_text));
  set_attr(g, "complete", std::uint8_t{0}, H5::PredType::NATIVE_UINT8);
  set_attr(g, "writing_batch", std::uint8_t{0}, H5::PredType::NATIVE_UINT8);
  set_attr(g, "shard_index", layout.shard_index, H5::PredType::NATIVE_UINT64);
  set_attr(g, "shard_count", layout.shard_count, H5::PredType::NATIVE_UINT64);
}

// replications/ and series/, when the experiment keeps them.
void ResultFile::Impl::create_per_replication(H5::Group& g) {
  const auto& info = *layout.info;
  const auto& exp = *layout.experiment;
  const hsize_t P = layout.n_points, R = layout.stored_replications;
  Chunking how;
  how.per_replication = true;
  how.deflate = layout.compression;
  how.chunk_elements =
      exp.precision.max_replications > exp.replications ? kAdaptiveChunkElements : kChunkElements;
  if (!layout.replication_metrics.empty()) {
    H5::Group reps_group = g.createGroup("replications");
    for (auto& s : metrics) {
      if (s.point_level || !exp.output.keep_replications) continue;
      const auto& m = info.metrics[s.index];
      s.replications =
          make_dataset(reps_group, m.name, H5::PredType::NATIVE_DOUBLE, {P, R}, &kNaN, how);
      describe(s.replications, m.description + " (one value per replication; NaN = not run)",
               m.unit);
    }
  }
  if (!layout.series.empty()) {
    H5::Group series_group = g.createGroup("series");
    for (std::size_t s = 0; s < layout.series.size(); ++s) {
      const auto& spec = info.series[layout.series[s]];
      auto ds = make_dataset(series_group, spec.name, H5::PredType::NATIVE_DOUBLE,
                             {P, R, layout.series_length[s]}, &kNaN, how);
      describe(ds, spec.description, spec.unit);
      series.push_back(ds);
    }
  }
}

// The scales under axes/: 0, 1, ... along replications and periods, the probabilities along
// quantiles. Written whole here, at creation, and never again.
void ResultFile::Impl::create_axes(H5::Group& g) {
  std::optional<H5::Group> axes;
  for (const auto& spec : detail::dataset_specs(layout)) {
    if (detail::is_point_indexed(spec.path) || spec.axis_label.empty()) continue;
    if (!axes) axes.emplace(g.createGroup("axes"));
    const std::string name = spec.path.substr(spec.path.find('/') + 1);
    const hsize_t n = spec.dims.at(0);
    H5::DataSet ds;
    if (spec.type_class == H5T_FLOAT) {
      ds = make_dataset(*axes, name, H5::PredType::NATIVE_DOUBLE, {n}, nullptr, {});
      write_rows(ds, 0, n, layout.experiment->output.quantiles.data(), H5::PredType::NATIVE_DOUBLE);
      describe(ds, "the probabilities of the quantiles in results/<output>/q", "1");
    } else {
      std::vector<std::uint64_t> at(n);
      for (std::uint64_t i = 0; i < n; ++i) at[i] = i;
      ds = make_dataset(*axes, name, H5::PredType::NATIVE_UINT64, {n}, nullptr, {});
      write_rows(ds, 0, n, at.data(), H5::PredType::NATIVE_UINT64);
      describe(ds, spec.axis_label + " number, from 0", "1");
    }
  }
}

// Every dataset's dimensions named by their scales (points/index for the point axis).
void ResultFile::Impl::attach_axes(H5::Group& g) {
  const auto specs = detail::dataset_specs(layout);
  for (const auto& spec : specs) {
    if (spec.axis_label.empty()) continue;
    const H5::DataSet scale = g.openDataSet(spec.path);
    if (H5DSset_scale(scale.getId(), spec.axis_label.c_str()) < 0 ||
        H5DSset_label(scale.getId(), 0, spec.axis_label.c_str()) < 0)
      throw H5::DataSetIException("H5DSset_scale", "cannot make " + spec.path + " a scale");
  }
  for (const auto& spec : specs)
    for (std::size_t d = 0; d < spec.axes.size(); ++d) {
      const auto axis = std::find_if(specs.begin(), specs.end(),
                                     [&](const auto& a) { return a.path == spec.axes[d]; });
      attach_axis(g.openDataSet(spec.path), static_cast<unsigned>(d), g.openDataSet(spec.axes[d]),
                  axis->axis_label);
    }
}

void ResultFile::Impl::create_status(H5::Group& g) {
  const hsize_t P = layout.n_points;
  H5::Group status_group = g.createGroup("status");
  const std::uint8_t not_done = 0;
  done = column(status_group, "done", H5::PredType::NATIVE_UINT8, {P}, &not_done,
                Unwritten::HoldsFill);
  describe(done, "1 when the point's results are written (the checkpoint bitmap)", "1");
  const std::uint64_t none = 0;
  replications_run = column(status_group, "replications", H5::PredType::NATIVE_UINT64, {P}, &none,
                            Unwritten::HoldsFill);
  describe(replications_run,
           "replications run at the point (adaptive precision may stop below "
           "max_replications); columns beyond it in replications/ and series/ are NaN",
           "");
}

// The point columns' rows of this file's points: all of them, or a shard's block.
std::vector<const H5::DataSet*> ResultFile::Impl::point_columns() const {
  std::vector<const H5::DataSet*> columns{&index, &status, &done, &replications_run};
  for (std::size_t p = 0; p < params.size(); ++p)
    if (param_written[p]) columns.push_back(&params[p]);
  for (const auto& m : metrics) {
    for (const H5::DataSet* d : {&m.mean, &m.q})
      if (d->getId() > 0) columns.push_back(d);
    for (const H5::DataSet& d : m.stats)
      if (d.getId() > 0) columns.push_back(&d);
  }
  return columns;
}

void ResultFile::Impl::allocate_own_rows() {
  const auto [first, last] = shard_range(layout.n_points, layout.shard_index, layout.shard_count);
  // A compressed point column (merge's output) is written whole once: allocating it first would
  // leave the fill-valued chunks behind as dead space.
  if (layout.compress_point_columns) return;
  for (const H5::DataSet* d : point_columns()) allocate_rows(*d, first, last);
}

// Bytes of a point's row in the point columns allocated without fill values (0 in a file of an
// earlier build, which wrote every row at creation).
std::uint64_t ResultFile::Impl::unfilled_row_bytes() {
  if (!row_bytes) {
    row_bytes = 0;
    for (const H5::DataSet* d : point_columns()) {
      if (d->getCreatePlist().getFillTime() != H5D_FILL_TIME_NEVER) continue;
      const auto dims = detail::dims_of(*d);
      *row_bytes += d->getDataType().getSize() * (dims.size() >= 2 ? dims[1] : 1);
    }
  }
  return *row_bytes;
}

void ResultFile::Impl::write_layout(const std::string& path) {
  const auto [first, last] = shard_range(layout.n_points, layout.shard_index, layout.shard_count);
  if (layout.shard_count > 1)
    column_rows = std::clamp<hsize_t>((last - first + 3) / 4, kMinColumnChunk, kColumnChunk);
  try {
    write_root_attributes();
    group.emplace(file->createGroup(layout.experiment->name));
    write_experiment_attributes(*group);
    H5::Group points_group = group->createGroup("points");
    create_points(points_group);
    H5::Group results_group = group->createGroup("results");
    create_results(results_group);
    create_per_replication(*group);
    create_status(*group);
    detail::create_sensitivity(*group, layout);
    create_axes(*group);
    attach_axes(*group);
    allocate_own_rows();
    file->flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    failed = true;
    throw IoError("HDF5 error creating '" + path + "': " + detail::hdf5_cause(e));
  }
}

// The file's name holds a complete layout from the moment it exists: the layout is written under
// a temporary name and renamed onto the path (FORMAT.md, "Surviving a kill").
void ResultFile::Impl::begin_create(const std::string& path) {
  refuse_directory(path, layout.path_origin);
  refuse_if_in_use(path, layout.path_origin);
  detail::remove_leftovers(path, layout.path_origin);
  signal_here_if_asked("before-create");
  temporary = temporary_path(path);
  open_new(path);
  signal_here_if_asked("after-temp-create");
}

void ResultFile::Impl::finish_create(const std::string& path, bool replace) {
  write_layout(path);
  signal_here_if_asked("before-rename");
  publish_file(temporary, path, replace, layout.path_origin, layout.force_origin);
  temporary.clear();
  signal_here_if_asked("after-rename");
}

ResultFile::~ResultFile() {
  if (impl_ && !impl_->temporary.empty()) {  // begun in two steps, never finished
    abandon();
    return;
  }
  std::optional<detail::MutedCerr> muted;
  if (impl_ && impl_->failed) muted.emplace();
  impl_.reset();
}

void ResultFile::Impl::write_params(const PointBatch& b) {
  std::vector<std::uint64_t> idx(b.count);
  for (std::uint64_t i = 0; i < b.count; ++i) idx[i] = b.first + i;
  write_rows(index, b.first, b.count, idx.data(), H5::PredType::NATIVE_UINT64);
  // The batch holds only the values the design varies: an earlier build's column of a fixed
  // parameter gets its one value at every row.
  for (std::size_t p = 0; p < fixed.size(); ++p) {
    const std::vector<char>& value = fixed[p];
    if (!param_written[p] || value.empty()) continue;
    std::vector<char> rows(b.count * value.size());
    for (std::uint64_t i = 0; i < b.count; ++i)
      std::copy(value.begin(), value.end(),
                rows.begin() + static_cast<std::ptrdiff_t>(i * value.size()));
    write_rows(params[p], b.first, b.count, rows.data(), param_type(p));
  }
  for (std::size_t v = 0; v < varied.size(); ++v) write_varied(b, v);
}

namespace {

// Column v of a batch's varied values ([point][V]) as `Stored`, each value held as a `Held`.
template <class Stored, class Held>
std::vector<Stored> varied_column(const PointBatch& b, std::size_t v, std::size_t V) {
  std::vector<Stored> column(b.count);
  for (std::uint64_t i = 0; i < b.count; ++i)
    column[i] = static_cast<Stored>(std::get<Held>(b.values[i * V + v]));
  return column;
}

}  // namespace

// The column of the v-th parameter the design varies: its values at the batch's points.
void ResultFile::Impl::write_varied(const PointBatch& b, std::size_t v) {
  const std::size_t p = varied[v], V = varied.size();
  const auto write = [&](const auto& column, const H5::DataType& type) {
    write_rows(params[p], b.first, b.count, column.data(), type);
  };
  switch (layout.info->params[p].type) {
    case ParamType::Real:
      write(varied_column<double, double>(b, v, V), H5::PredType::NATIVE_DOUBLE);
      break;
    case ParamType::Integer:
      write(varied_column<std::int64_t, std::int64_t>(b, v, V), H5::PredType::NATIVE_INT64);
      break;
    case ParamType::Bool:
      write(varied_column<std::uint8_t, bool>(b, v, V), H5::PredType::NATIVE_UINT8);
      break;
    case ParamType::Enum:
    case ParamType::RealList: {
      const H5::StrType type = params[p].getStrType();
      const std::size_t width = type.getSize();
      std::vector<char> text(b.count * width, '\0');
      // A list is printed digit by digit (%.17g); most rows repeat the row before (a grid's inner
      // axis running over another parameter), so reuse its text.
      const Value* previous = nullptr;
      std::string cell;
      for (std::uint64_t i = 0; i < b.count; ++i) {
        const Value& value = b.values[i * V + v];
        if (!previous || !same_text(value, *previous)) cell = parameter_text(value);
        previous = &value;
        std::copy_n(cell.data(), std::min(width, cell.size()), &text[i * width]);
      }
      write_rows(params[p], b.first, b.count, text.data(), type);
      break;
    }
  }
}

void ResultFile::Impl::write_metrics(const PointBatch& b) {
  const std::size_t M = layout.info->metrics.size();
  std::vector<double> col(b.count);
  std::vector<std::uint64_t> ncol(b.count);
  for (auto& s : metrics) {
    const std::size_t m = s.index;
    const MetricColumns& column = b.metrics.at(m);
    if (s.point_level) {  // the batch's column as it is: one write
      write_rows(s.mean, b.first, b.count, column.value.data(), H5::PredType::NATIVE_DOUBLE);
      continue;
    }
    auto write_stat = [&](H5::DataSet& ds, double (Accumulator::*stat)() const) {
      for (std::uint64_t i = 0; i < b.count; ++i) col[i] = (column.stats[i].*stat)();
      write_rows(ds, b.first, b.count, col.data(), H5::PredType::NATIVE_DOUBLE);
    };
    write_stat(s.mean, &Accumulator::mean);
    for (const std::size_t k : layout.statistics) {
      if (const auto real = kKeptStatistics[k].real) {
        write_stat(s.stats[k], real);
        continue;
      }
      for (std::uint64_t i = 0; i < b.count; ++i) ncol[i] = column.stats[i].n();
      write_rows(s.stats[k], b.first, b.count, ncol.data(), H5::PredType::NATIVE_UINT64);
    }
    if (s.q.getId() > 0)
      write_rows(s.q, b.first, b.count, column.quantiles.data(), H5::PredType::NATIVE_DOUBLE);
    if (s.replications.getId() > 0 && !b.replications.empty()) {
      write_replication_rows(s.replications, b.first, b.replications_run,
                             [&](std::size_t i, hsize_t c0, hsize_t n, double* dst) {
                               for (hsize_t r = 0; r < n; ++r)
                                 dst[r] = b.replications[i][(c0 + r) * M + m];
                             });
    }
  }
  write_rows(status, b.first, b.count, b.status.data(), H5::PredType::NATIVE_INT32);
  write_rows(replications_run, b.first, b.count, b.replications_run.data(),
             H5::PredType::NATIVE_UINT64);
  for (std::size_t s = 0; s < series.size(); ++s) {
    const hsize_t T = layout.series_length[s];
    write_replication_rows(series[s], b.first, b.replications_run,
                           [&](std::size_t i, hsize_t c0, hsize_t n, double* dst) {
                             std::copy_n(b.series[s][i].data() + c0 * T, n * T, dst);
                           });
  }
}

namespace {

// Bytes a batch may add to the file: its rows of the point columns allocated without fill values
// (`row_bytes` a point: their disk blocks are taken as they are first written), its
// per-replication values and series, at most their uncompressed size (deflate expands nothing by
// more than a few bytes a chunk), and room for chunk indexes and the metadata a flush rewrites.
std::uint64_t bytes_a_batch_may_add(const PointBatch& b, std::uint64_t row_bytes) {
  std::uint64_t values = 0;
  for (const auto& point : b.replications) values += point.size();
  for (const auto& series : b.series)
    for (const auto& point : series) values += point.size();
  return b.count * row_bytes + values * sizeof(double) + values * sizeof(double) / 10 +
         (std::uint64_t{1} << 18);
}

// A disk that fills during HDF5's flush can leave a chunk index half written, which no resume
// can use; so a batch is written only where there is room for all of it. Another process filling
// the same disk at the same moment can still beat this check; the run then fails as before.
void ensure_room_for(const PointBatch& b, std::uint64_t row_bytes, const std::string& path,
                     const std::string& resume) {
  const std::uint64_t needed = bytes_a_batch_may_add(b, row_bytes);
  struct statvfs disk {};
  if (::statvfs(path.c_str(), &disk) != 0) return;
  const std::uint64_t free = std::uint64_t(disk.f_bavail) * disk.f_frsize;
  if (free >= needed) return;
  throw IoError("No space left on device for the next batch of '" + path + "' (it may need " +
                std::to_string(needed >> 10) + " KiB, " + std::to_string(free >> 10) +
                " KiB are free): stopped before writing it, so the file holds every point done so "
                "far; free some space and continue with " +
                resume);
}

}  // namespace

void ResultFile::write(const PointBatch& b) {
  if (b.count == 0) return;
  silence_hdf5_errors();  // the writer may run on any of TBB's threads
  ensure_room_for(b, impl_->unfilled_row_bytes(), path_, impl_->layout.resume_origin);
  const std::uint64_t k = impl_->batches_written++;
  const bool compressed = impl_->layout.has_per_replication();
  try {
    // Compressed chunks are allocated as they are written, and HDF5 may write their indexes' nodes
    // at any moment until the flush below, in an order a kill can tear (FORMAT.md, "Surviving a
    // kill"). writing_batch = 1, on disk before any of that, tells --resume to rebuild the file.
    if (compressed) {
      impl_->set_writing_batch(1);
      impl_->file->flush(H5F_SCOPE_GLOBAL);
    }
    impl_->write_params(b);
    signal_here_if_asked("batch-partial", k);
    impl_->write_metrics(b);
    // The done bits go last and in a flush of their own: HDF5 does not order writes between
    // flushes, so this is what guarantees a point marked done has its data on disk. A batch cut
    // before its done bits is computed again by --resume, which overwrites its rows whole.
    impl_->file->flush(H5F_SCOPE_GLOBAL);
    signal_here_if_asked("batch-data", k);
    const std::vector<std::uint8_t> done(b.count, 1);
    write_rows(impl_->done, b.first, b.count, done.data(), H5::PredType::NATIVE_UINT8);
    if (compressed) impl_->set_writing_batch(0);  // the indexes are whole again, since the flush
    impl_->file->flush(H5F_SCOPE_GLOBAL);
    signal_here_if_asked("batch-done", k);
  } catch (const H5::Exception& e) {
    impl_->failed = true;
    throw IoError("HDF5 error writing '" + path_ + "': " + detail::hdf5_cause(e));
  }
}

std::vector<std::uint8_t> ResultFile::done() const {
  std::vector<std::uint8_t> bits(impl_->layout.n_points);
  try {
    if (!bits.empty()) impl_->done.read(bits.data(), H5::PredType::NATIVE_UINT8);
  } catch (const H5::Exception& e) {
    throw IoError("HDF5 error reading status/done of '" + path_ + "': " + detail::hdf5_cause(e));
  }
  return bits;
}

void ResultFile::finish() {
  try {
    const auto bits = done();
    // A shard file stays incomplete even when its shard happens to hold every point: complete
    // means "the file a single run writes", which only merge makes of shards.
    const bool all_done = impl_->layout.shard_count == 1 &&
                          std::all_of(bits.begin(), bits.end(), [](std::uint8_t b) { return b; });
    // The analysis of a [sensitivity] needs every point: it is part of what `complete` promises.
    if (all_done) detail::write_sensitivity(*impl_->group, impl_->layout);
    signal_here_if_asked("before-complete");
    // Written in place (not removed and recreated): one small write a kill cannot leave half done.
    const std::uint8_t complete = all_done;
    if (all_done) write_finished_utc(*impl_->file);
    impl_->group->openAttribute("complete").write(H5::PredType::NATIVE_UINT8, &complete);
    impl_->file->flush(H5F_SCOPE_GLOBAL);
    impl_->group.reset();
    impl_->file->close();
  } catch (const H5::Exception& e) {
    impl_->failed = true;
    throw IoError("HDF5 error finishing '" + path_ + "': " + detail::hdf5_cause(e));
  }
}

}  // namespace tariffsim
