#include "tariffsim/result_check.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "hdf5_interface.hpp"
#include "result_layout.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/search.hpp"
#include "tariffsim/sha256.hpp"

namespace tariffsim {

namespace {

using detail::DatasetSpec;

DatasetSpec status_done_spec(hsize_t P) {
  return {"status/done", H5T_INTEGER, 1, false, {P}, {detail::kPointAxis}, {}};
}

// The memory type the writer stores a numeric dataset in (result_file.cpp): the file's type must
// be exactly it, not merely of the same class and size, or HDF5 converts on copy (a damaged
// exponent field, say, would make merge write other bits than the shard holds).
const H5::PredType& native_type(const DatasetSpec& spec) {
  if (spec.type_class == H5T_FLOAT) return H5::PredType::NATIVE_DOUBLE;
  switch (spec.size) {
    case 1:
      return H5::PredType::NATIVE_UINT8;
    case 4:
      return H5::PredType::NATIVE_INT32;
    default:
      return spec.is_signed ? H5::PredType::NATIVE_INT64 : H5::PredType::NATIVE_UINT64;
  }
}

std::string type_name(H5T_class_t type_class, std::size_t size, bool is_signed) {
  const std::string bits = std::to_string(size * 8);
  switch (type_class) {
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_INTEGER:
      return (is_signed ? "int" : "uint") + bits;
    case H5T_STRING:
      return "fixed-length string of " + std::to_string(size) + " bytes";
    default:
      return "HDF5 type class " + std::to_string(static_cast<int>(type_class));
  }
}

std::string shape_name(const std::vector<hsize_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

// True if every component of a relative path names an object (H5Lexists needs each one to exist).
bool has_path(const H5::Group& g, const std::string& path) {
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = path.find('/', end + 1);
    if (!g.nameExists(path.substr(0, end))) return false;
  }
  return true;
}

// Every object below `g`, as paths relative to it: groups end in '/'.
void list_objects(const H5::Group& g, const std::string& prefix, std::vector<std::string>& out) {
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string path = prefix + g.getObjnameByIdx(i);
    if (g.getObjTypeByIdx(i) == H5G_GROUP) {
      out.push_back(path + "/");
      list_objects(g.openGroup(g.getObjnameByIdx(i)), path + "/", out);
    } else {
      out.push_back(path);
    }
  }
}

std::string attribute_label(const H5::H5Object& obj, const std::string& name) {
  return (obj.getObjName() == "/" ? "root" : "experiment group") + std::string(" attribute '") +
         name + "'";
}

// What the chunk index of a dataset says of each chunk of the box [lo, hi) (lo on chunk
// boundaries): `ok(address, size)`, with HADDR_UNDEF for a chunk not allocated. False as soon as
// `ok` is, or a lookup fails (an index node that was never written, or is damaged).
// True if `ok(address, size, first row)` holds for every chunk from `lo` to `hi`.
bool all_chunks(const H5::DataSet& ds, std::vector<hsize_t> lo, const std::vector<hsize_t>& hi,
                const std::function<bool(haddr_t, hsize_t, hsize_t)>& ok) {
  const int rank = static_cast<int>(lo.size());
  std::vector<hsize_t> chunk(lo.size());
  ds.getCreatePlist().getChunk(rank, chunk.data());
  std::vector<hsize_t> at = lo;
  for (;;) {
    unsigned filters = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info_by_coord(ds.getId(), at.data(), &filters, &address, &size) < 0 ||
        !ok(address, size, at[0]))
      return false;
    int k = rank - 1;  // the next chunk: the last dimension fastest
    for (; k >= 0; --k) {
      at[k] += chunk[k];
      if (at[k] < hi[k]) break;
      at[k] = lo[k];
    }
    if (k < 0) return true;
  }
}

// True if every chunk of row `row`, columns [0, extent) and every later dimension whole, of a
// per-replication dataset is in the dataset's chunk index and inside the file's `end`. A torn
// index can lose a done point's chunks (they would read as the NaN fill value) or lead into a node
// never written (the lookup fails).
bool chunks_present(const H5::DataSet& ds, hsize_t row, hsize_t extent, haddr_t end) {
  std::vector<hsize_t> lo(detail::dims_of(ds).size(), 0), hi = detail::dims_of(ds);
  lo[0] = row;
  hi[0] = row + 1;
  hi[1] = extent;
  return all_chunks(ds, lo, hi, [&](haddr_t address, hsize_t size, hsize_t) {
    return address != HADDR_UNDEF && size > 0 && address + size <= end;
  });
}

}  // namespace

std::string parameter_text(const Value& v) {
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : to_string(v);
}

// The design draws enum and list values only from the choices, the default, [parameters] and
// [grid].
std::size_t parameter_text_width(const ParamSpec& spec, const Experiment& exp) {
  std::size_t width = parameter_text(spec.default_value).size();
  for (const auto& c : spec.choices) width = std::max(width, c.size());
  if (const auto it = exp.fixed.find(spec.name); it != exp.fixed.end())
    width = std::max(width, parameter_text(it->second.value).size());
  for (const auto& axis : exp.grid)
    if (axis.name == spec.name)
      for (const auto& v : axis.values) width = std::max(width, parameter_text(v).size());
  return width;
}

std::vector<std::string> result_dataset_paths(const FileLayout& layout) {
  std::vector<std::string> out;
  for (const auto& spec : detail::dataset_specs(layout))
    if (detail::is_point_indexed(spec.path)) out.push_back(spec.path);
  return out;
}

struct CheckedResultFile::Impl {
  std::string who;
  ResultHeader header;
  std::vector<std::uint8_t> done;
  std::uint64_t done_count = 0;
  std::optional<H5::H5File> file;
  std::optional<H5::Group> group;

  std::string problem(const std::string& what) const {
    return who + " '" + header.path + "': " + what;
  }
  void open();
  void check_root();
  void check_format_version();
  void read_group_attributes();
  void read_done();
  void check_dataset(const DatasetSpec& spec) const;
  void check_nothing_else(const std::vector<DatasetSpec>& specs) const;
  // A row marked done: its position and what the file holds there.
  struct DoneRow {
    std::uint64_t row, index;
    std::int32_t status;
    std::uint64_t replications;
  };
  // What a done row may hold besides its index: its replication count's bounds and the model's
  // own status codes.
  struct DoneRowRules {
    std::uint64_t initial, cap;
    const std::map<int, std::string>* model_codes;
  };
  void check_done_row(const DoneRow& r, const DoneRowRules& rules) const;
  void check_done_rows(const DoneRowRules& rules) const;
  void check_run_attributes(const Experiment& exp) const;
  void check_chunks_inside(const DatasetSpec& spec, haddr_t end) const;
  std::string string_attr(const H5::H5Object& obj, const std::string& name,
                          const std::optional<std::string>& absent = std::nullopt) const;
  std::int64_t int_attr(const H5::H5Object& obj, const std::string& name) const;
};

void CheckedResultFile::Impl::open() {
  const auto& path = header.path;
  if (!std::filesystem::exists(path)) throw InputError(problem("no such file"));
  if (!std::filesystem::is_regular_file(path))
    throw InputError(problem("not a file (expected an HDF5 result file)"));
  if (!detail::is_hdf5_file(path))
    throw InputError(
        problem("not an HDF5 file (no HDF5 signature; expected a tariffsim result "
                "file)"));
  try {
    file.emplace(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw InputError(
        problem("cannot be opened as HDF5 (truncated or damaged?): " + detail::hdf5_cause(e)));
  }
}

// A string attribute, of string type; `absent` (or an error without it) when missing.
std::string CheckedResultFile::Impl::string_attr(const H5::H5Object& obj, const std::string& name,
                                                 const std::optional<std::string>& absent) const {
  const std::string where = attribute_label(obj, name);
  if (!obj.attrExists(name)) {
    if (absent) return *absent;
    throw InputError(problem(where + " is missing"));
  }
  H5::Attribute a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_STRING || a.getSpace().getSimpleExtentNpoints() != 1)
    throw InputError(problem(where + " is not a single string"));
  std::string out;
  a.read(a.getStrType(), out);
  return out;
}

// A required integer attribute of integer type, one value.
std::int64_t CheckedResultFile::Impl::int_attr(const H5::H5Object& obj,
                                               const std::string& name) const {
  const std::string where = attribute_label(obj, name);
  if (!obj.attrExists(name)) throw InputError(problem(where + " is missing"));
  H5::Attribute a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_INTEGER || a.getSpace().getSimpleExtentNpoints() != 1)
    throw InputError(problem(where + " is not a single integer"));
  std::int64_t value = 0;
  a.read(H5::PredType::NATIVE_INT64, &value);
  if (value < 0) throw InputError(problem(where + " is negative (" + std::to_string(value) + ")"));
  return value;
}

// format_version is [major, minor] since version 2; a reader checks the major only. Version 1
// stored one integer.
void CheckedResultFile::Impl::check_format_version() {
  if (!file->attrExists("format_version"))
    throw InputError(problem("root attribute 'format_version' is missing"));
  const H5::Attribute a = file->openAttribute("format_version");
  const hssize_t n = a.getSpace().getSimpleExtentNpoints();
  if (a.getTypeClass() != H5T_INTEGER || (n != 1 && n != 2))
    throw InputError(
        problem("root attribute 'format_version' is not [major, minor] (two integers)"));
  std::int64_t version[2] = {0, 0};
  a.read(H5::PredType::NATIVE_INT64, version);
  const std::string build = "this build reads format version " + std::to_string(kFormatMajor);
  if (n == 1 && version[0] == 1)
    throw InputError(problem("is of format version 1 and " + build + ": read it with " +
                             kFormat1Reader + ", or run its experiment again"));
  if (n == 1 || version[0] < kFormatMajor || version[1] < 0)
    throw InputError(problem("format_version " + std::to_string(version[0]) +
                             (n == 2 ? "." + std::to_string(version[1]) : std::string()) +
                             " is not supported (" + build + ")"));
  if (version[0] > kFormatMajor)
    throw InputError(problem("written by a newer tariffsim (format_version " +
                             std::to_string(version[0]) + "." + std::to_string(version[1]) + "; " +
                             build + "): read it with a newer tariffsim"));
  header.format_version = std::to_string(version[0]) + "." + std::to_string(version[1]);
  header.format_minor = version[1];
}

void CheckedResultFile::Impl::check_root() {
  const std::string format = string_attr(*file, "format", std::string());
  if (format != "tariffsim")
    throw InputError(problem("not a tariffsim result file (root attribute 'format' is " +
                             (format.empty() ? std::string("missing") : "'" + format + "'") +
                             ", expected 'tariffsim')"));
  check_format_version();
  header.tariffsim_version = string_attr(*file, "tariffsim_version", std::string());
  header.git_commit = string_attr(*file, "git_commit", std::string());
  header.created_utc = string_attr(*file, "created_utc", std::string());
  header.finished_utc = string_attr(*file, "finished_utc", std::string());
  header.command_line = string_attr(*file, "command_line", std::string());
  header.kernel_isa = string_attr(*file, "kernel_isa");
  const H5::Group root = file->openGroup("/");
  std::string names;
  for (hsize_t i = 0; i < root.getNumObjs(); ++i)
    names += (i ? ", " : "") + root.getObjnameByIdx(i);
  if (root.getNumObjs() != 1 || root.getObjTypeByIdx(0) != H5G_GROUP)
    throw InputError(problem("expected exactly one experiment group at the root, found " +
                             (names.empty() ? std::string("none") : names)));
  header.experiment = root.getObjnameByIdx(0);
  group.emplace(file->openGroup(header.experiment));
}

void CheckedResultFile::Impl::read_group_attributes() {
  const H5::Group& g = *group;
  header.model = string_attr(g, "model");
  header.model_version = string_attr(g, "model_version");
  header.config = string_attr(g, "config");
  header.config_sha256 = string_attr(g, "config_sha256");
  if (sha256_hex(header.config) != header.config_sha256)
    throw InputError(
        problem("experiment group attribute 'config_sha256' is not the hash of its "
                "'config' (one of them is damaged)"));
  header.seed = static_cast<std::uint64_t>(int_attr(g, "seed"));
  header.replications = static_cast<std::uint64_t>(int_attr(g, "replications"));
  header.n_points = static_cast<std::uint64_t>(int_attr(g, "n_points"));
  header.shard_index = static_cast<std::uint64_t>(int_attr(g, "shard_index"));
  header.shard_count = static_cast<std::uint64_t>(int_attr(g, "shard_count"));
  if (header.shard_count == 0 || header.shard_index >= header.shard_count)
    throw InputError(problem("shard_index " + std::to_string(header.shard_index) + " of " +
                             "shard_count " + std::to_string(header.shard_count) +
                             " is not a shard (expected index < count)"));
  const std::int64_t complete = int_attr(g, "complete");
  if (complete > 1)
    throw InputError(problem("experiment group attribute 'complete' is " +
                             std::to_string(complete) + ", expected 0 or 1"));
  header.complete = complete == 1;
  if (g.attrExists("writing_batch")) {
    const std::int64_t writing = int_attr(g, "writing_batch");
    if (writing > 1)
      throw InputError(problem("experiment group attribute 'writing_batch' is " +
                               std::to_string(writing) + ", expected 0 or 1"));
    header.writing_batch = writing == 1;
  }
}

void CheckedResultFile::Impl::read_done() {
  const std::uint64_t P = header.n_points;
  check_dataset(status_done_spec(P));
  H5::DataSet ds = group->openDataSet("status/done");
  done.resize(P);
  if (P) ds.read(done.data(), H5::PredType::NATIVE_UINT8);
  for (std::uint64_t i = 0; i < P; ++i) {
    if (done[i] > 1)
      throw InputError(problem("status/done[" + std::to_string(i) + "] is " +
                               std::to_string(done[i]) + ", expected 0 or 1"));
    done_count += done[i];
  }
  if (header.complete && (done_count != P || header.shard_count != 1))
    throw InputError(problem("is marked complete but status/done has " +
                             std::to_string(done_count) + " of " + std::to_string(P) +
                             " points done" + (header.shard_count != 1 ? " in a shard file" : "")));
}

void CheckedResultFile::Impl::check_dataset(const DatasetSpec& spec) const {
  if (!has_path(*group, spec.path) || group->childObjType(spec.path) != H5O_TYPE_DATASET)
    throw InputError(problem("dataset " + spec.path + " is missing"));
  const H5::DataSet ds = group->openDataSet(spec.path);
  const H5::DataType type = ds.getDataType();
  const H5T_class_t type_class = type.getClass();
  const bool is_signed = type_class == H5T_INTEGER && H5::IntType(ds).getSign() != H5T_SGN_NONE;
  const bool type_ok = type_class == spec.type_class && type.getSize() == spec.size &&
                       (type_class != H5T_INTEGER || is_signed == spec.is_signed) &&
                       (type_class != H5T_STRING || !type.isVariableStr());
  const auto dims = detail::dims_of(ds);
  if (type_ok && type_class != H5T_STRING && !(type == native_type(spec)))
    throw InputError(problem("dataset " + spec.path + " is of type " +
                             type_name(type_class, type.getSize(), is_signed) +
                             " but not in the standard layout tariffsim writes (a damaged "
                             "datatype?)"));
  if (!type_ok || dims != spec.dims)
    throw InputError(problem(
        "dataset " + spec.path + " is " + type_name(type_class, type.getSize(), is_signed) + " " +
        shape_name(dims) + ", expected " + type_name(spec.type_class, spec.size, spec.is_signed) +
        " " + shape_name(spec.dims) + " (from its config and n_points)"));
  if (ds.getCreatePlist().getLayout() != H5D_CHUNKED)
    throw InputError(problem("dataset " + spec.path + " is not chunked, as tariffsim writes it"));
}

void CheckedResultFile::Impl::check_nothing_else(const std::vector<DatasetSpec>& specs) const {
  std::set<std::string> expected;
  for (const auto& spec : specs)
    for (auto slash = spec.path.find('/'); slash != std::string::npos;
         slash = spec.path.find('/', slash + 1))
      expected.insert(spec.path.substr(0, slash + 1));
  for (const auto& spec : specs) expected.insert(spec.path);
  std::vector<std::string> found;
  list_objects(*group, "", found);
  for (const auto& path : found)
    if (!expected.count(path))
      throw InputError(problem("holds " + path + ", which its config does not describe"));
}

// One done row, as the writer leaves it. Its points/index is its row (merge copies rows by
// position, so an index elsewhere would put a point's results in another point's place); its
// status is a code the runner writes, and not the fill value "not computed" (a done bit set on a
// row never written would pass off NaN as a result); and it ran no more replications than the
// config allows (a larger count would make readers take fill values for results).
void CheckedResultFile::Impl::check_done_row(const DoneRow& r, const DoneRowRules& rules) const {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string row = "[";
  row += std::to_string(r.row);
  row += "]";
  if (r.index != r.row)
    throw InputError(problem("points/index" + row + " is " + std::to_string(r.index) +
                             " in a row marked done, expected " + std::to_string(r.row)));
  if (r.status == kStatusNotComputed)
    throw InputError(problem("status/done" + row + " is 1 but results/status" + row +
                             " says the point was never computed"));
  if (r.status != kStatusOk && r.status != kStatusOutOfRange && r.status != kStatusModelError &&
      rules.model_codes->count(r.status) == 0)
    throw InputError(problem("results/status" + row + " is " + std::to_string(r.status) +
                             ", not a status tariffsim writes (expected " +
                             std::to_string(kStatusOk) + ", " + std::to_string(kStatusOutOfRange) +
                             ", " + std::to_string(kStatusModelError) + " or one of the model's " +
                             "codes, results/status's attribute `codes`)"));
  // A computed point ran at least the initial replications and at most the cap; a failed one
  // keeps none (runner.cpp). Fewer would drop replications the file holds, more would pass off
  // fill values as replications.
  const bool ok = r.status == kStatusOk;
  if (ok ? r.replications < rules.initial || r.replications > rules.cap : r.replications != 0)
    throw InputError(problem(
        "status/replications" + row + " is " + std::to_string(r.replications) + ", expected " +
        (ok ? "from " + std::to_string(rules.initial) + " to " + std::to_string(rules.cap) +
                  " (the config's replications) for a computed point"
            : std::string("0 for a point that failed"))));
}

void CheckedResultFile::Impl::check_done_rows(const DoneRowRules& rules) const {
  constexpr hsize_t kRowsRead = 1u << 16;
  const H5::DataSet index_set = group->openDataSet("points/index");
  const H5::DataSet status_set = group->openDataSet("results/status");
  const H5::DataSet reps_set = group->openDataSet("status/replications");
  std::vector<std::uint64_t> index, reps;
  std::vector<std::int32_t> status;
  for (hsize_t first = 0; first < header.n_points; first += kRowsRead) {
    const hsize_t n = std::min<hsize_t>(kRowsRead, header.n_points - first);
    index.resize(n);
    status.resize(n);
    reps.resize(n);
    const detail::RowSlab slab(index_set, first, n);
    index_set.read(index.data(), H5::PredType::NATIVE_UINT64, slab.memory, slab.file);
    status_set.read(status.data(), H5::PredType::NATIVE_INT32, slab.memory, slab.file);
    reps_set.read(reps.data(), H5::PredType::NATIVE_UINT64, slab.memory, slab.file);
    for (hsize_t i = 0; i < n; ++i)
      if (done[first + i]) check_done_row({first + i, index[i], status[i], reps[i]}, rules);
  }
}

// The group's run attributes repeat what its config says; a file whose two disagree was edited
// or damaged, and a resume would continue it under the wrong seed.
void CheckedResultFile::Impl::check_run_attributes(const Experiment& exp) const {
  const auto differs = [&](const char* name, std::uint64_t stored, std::uint64_t configured) {
    if (stored != configured)
      throw InputError(problem("experiment group attribute '" + std::string(name) + "' is " +
                               std::to_string(stored) + " but its config says " +
                               std::to_string(configured)));
  };
  differs("seed", header.seed, exp.seed);
  differs("replications", header.replications, exp.replications);
  // The Sobol design's replicates are not in the config text when defaulted, and a format 2.2
  // file (no attribute) has one: another count is another design.
  if (exp.sensitivity) {
    const H5::Group sobol = file->openGroup(header.experiment + "/sensitivity");
    std::uint64_t stored = 1;
    if (sobol.attrExists("replicates"))
      sobol.openAttribute("replicates").read(H5::PredType::NATIVE_UINT64, &stored);
    if (stored != exp.sensitivity->design_replicates())
      throw InputError(problem("its Sobol design has " + std::to_string(stored) +
                               " replicate(s) (sensitivity/ attribute 'replicates'), its config "
                               "with this build makes " +
                               std::to_string(exp.sensitivity->design_replicates()) +
                               " (a format 2.2 file has 1): this build cannot continue it, start "
                               "it over"));
  }
}

// A point column's chunks were allocated when the file was created and batches rewrite them in
// place: one whose index entry points outside the file (a damaged address) would fail a resume's
// write or a merge's read with an HDF5 error instead of this message, and one missing from the
// file's own rows (a damaged index) would read as the fill value in a row marked done. A
// parameter the design does not vary is its column's fill value, with no chunk to check.
// Compressed chunks are looked up per done point (done_with_chunks).
void CheckedResultFile::Impl::check_chunks_inside(const DatasetSpec& spec, haddr_t end) const {
  if (detail::is_per_replication(spec.path) || !detail::is_point_indexed(spec.path) ||
      spec.may_be_unwritten || std::find(spec.dims.begin(), spec.dims.end(), 0) != spec.dims.end())
    return;
  const H5::DataSet ds = group->openDataSet(spec.path);
  // Not a structured binding: clang 14 (the TSan and fuzz builds) cannot capture one.
  const auto own_rows = shard_range(header.n_points, header.shard_index, header.shard_count);
  const hsize_t own_first = own_rows.first, own_last = own_rows.second;
  hsize_t rows_per_chunk = 0;
  ds.getCreatePlist().getChunk(1, &rows_per_chunk);
  const auto own = [&](hsize_t row) {  // chunk k holds rows [k c, (k + 1) c)
    return row + rows_per_chunk > own_first && row < own_last;
  };
  std::vector<hsize_t> at(spec.dims.size(), 0);
  if (!all_chunks(ds, at, spec.dims, [&](haddr_t address, hsize_t size, hsize_t row) {
        return address == HADDR_UNDEF ? !own(row) : address + size <= end;
      })) {
    detail::forget_hdf5_error();  // this message says it
    throw InputError(problem("dataset " + spec.path +
                             " has a chunk outside the file, a chunk of its own rows missing, or a "
                             "chunk index that cannot be read (damaged?)"));
  }
}

CheckedResultFile::CheckedResultFile(const std::string& path, const std::string& who)
    : impl_(std::make_unique<Impl>()) {
  silence_hdf5_errors();
  impl_->who = who;
  impl_->header.path = path;
  impl_->open();
  try {
    impl_->check_root();
    impl_->read_group_attributes();
    impl_->read_done();
  } catch (const H5::Exception& e) {
    throw InputError(
        problem("cannot be read as a tariffsim result file (damaged?): " + detail::hdf5_cause(e)));
  }
}

CheckedResultFile::~CheckedResultFile() = default;

const ResultHeader& CheckedResultFile::header() const {
  return impl_->header;
}
const std::vector<std::uint8_t>& CheckedResultFile::done() const {
  return impl_->done;
}
std::uint64_t CheckedResultFile::done_count() const {
  return impl_->done_count;
}
std::string CheckedResultFile::problem(const std::string& what) const {
  return impl_->problem(what);
}

std::vector<std::string> CheckedResultFile::members(const std::string& name) const {
  std::vector<std::string> out;
  try {
    if (!has_path(*impl_->group, name) || impl_->group->childObjType(name) != H5O_TYPE_GROUP)
      return out;
    const H5::Group g = impl_->group->openGroup(name);
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) out.push_back(g.getObjnameByIdx(i));
  } catch (const H5::Exception& e) {
    throw InputError(problem("cannot list " + name + " (damaged?): " + detail::hdf5_cause(e)));
  }
  return out;
}

std::vector<std::uint8_t> CheckedResultFile::done_with_chunks(const FileLayout& layout) const {
  constexpr hsize_t kRowsRead = 1u << 16;
  std::vector<std::uint8_t> kept = impl_->done;
  const haddr_t end = std::filesystem::file_size(impl_->header.path);
  try {
    const H5::DataSet run_set = impl_->group->openDataSet("status/replications");
    std::vector<H5::DataSet> compressed;
    for (const auto& name : result_dataset_paths(layout))
      if (detail::is_per_replication(name)) compressed.push_back(impl_->group->openDataSet(name));
    std::vector<std::uint64_t> run;
    for (hsize_t first = 0; first < kept.size(); first += kRowsRead) {
      const hsize_t n = std::min<hsize_t>(kRowsRead, kept.size() - first);
      run.resize(n);
      const detail::RowSlab slab(run_set, first, n);
      run_set.read(run.data(), H5::PredType::NATIVE_UINT64, slab.memory, slab.file);
      for (const auto& ds : compressed)
        for (hsize_t i = 0; i < n; ++i)
          if (kept[first + i] && run[i] > 0 &&
              !chunks_present(ds, first + i, detail::replication_extent(ds, run[i]), end))
            kept[first + i] = 0;
    }
  } catch (const H5::Exception& e) {
    throw InputError(problem("cannot be recovered (damaged beyond its chunk indexes): " +
                             detail::hdf5_cause(e)));
  }
  detail::forget_hdf5_error();  // the lookups that failed were answered: those points are not kept
  return kept;
}

void CheckedResultFile::check_layout(const FileLayout& layout) const {
  if (layout.n_points != impl_->header.n_points)
    throw InputError(problem("holds " + std::to_string(impl_->header.n_points) +
                             " points (n_points), its config describes " +
                             std::to_string(layout.n_points)));
  try {
    const auto specs = detail::dataset_specs(layout);
    for (const auto& spec : specs) impl_->check_dataset(spec);
    impl_->check_nothing_else(specs);
    const haddr_t end = std::filesystem::file_size(impl_->header.path);
    for (const auto& spec : specs) impl_->check_chunks_inside(spec, end);
    const Experiment& exp = *layout.experiment;
    impl_->check_run_attributes(exp);
    const std::uint64_t configured = std::max<std::uint64_t>(1, exp.replications);
    // A run of point-level outputs only runs no replications (format 2.4); a file of format 2.3
    // or earlier ran the configured ones even so (and its points resumed by a later build none).
    const bool older = impl_->header.format_minor < kFormatNoReplicationsMinor;
    const auto* codes = &layout.info->status_codes;
    impl_->check_done_rows(
        layout.runs_replications
            ? Impl::DoneRowRules{configured, std::max(configured, exp.precision.max_replications),
                                 codes}
            : Impl::DoneRowRules{0, older ? configured : 0, codes});
    // A file cut inside a batch (writing_batch = 1) may have torn chunk indexes: --resume rebuilds
    // it from the points whose chunks are whole. Otherwise every done point's chunks must be there.
    if (layout.has_per_replication() && !impl_->header.writing_batch.value_or(true) &&
        done_with_chunks(layout) != impl_->done)
      throw InputError(
          problem("a point marked done is missing chunks of its per-replication "
                  "data or series (damaged?)"));
  } catch (const H5::Exception& e) {
    throw InputError(
        problem("cannot be read as a tariffsim result file (damaged?): " + detail::hdf5_cause(e)));
  }
}

std::unique_ptr<StoredExperiment> stored_experiment(const CheckedResultFile& file,
                                                    const Registry& registry) {
  const ResultHeader& h = file.header();
  if (!registry.contains(h.model))
    throw InputError(file.problem("written by model '" + h.model +
                                  "', which this build does not "
                                  "have"));
  auto stored = std::make_unique<StoredExperiment>();
  try {
    stored->experiment = parse_experiment(h.config, h.path + ":config", {}, registry);
  } catch (const InputError& e) {
    throw InputError(
        file.problem("its config attribute is not a valid experiment: " + std::string(e.what())));
  }
  if (stored->experiment.name != h.experiment || stored->experiment.model != h.model)
    throw InputError(file.problem("its config describes experiment '" + stored->experiment.name +
                                  "' of model " + stored->experiment.model + ", the file holds '" +
                                  h.experiment + "' of model " + h.model));
  stored->model = experiment_model(stored->experiment, registry);
  const ModelInfo& info = stored->model->info();
  if (h.model_version != info.version)
    throw InputError(file.problem("written by " + h.model + " " + h.model_version +
                                  ", this build has " + info.version +
                                  "; use the build that wrote it"));
  const Design design(stored->experiment, info);
  if (design.size() != h.n_points)
    throw InputError(file.problem("its config describes " + std::to_string(design.size()) +
                                  " points but n_points is " + std::to_string(h.n_points)));
  stored->layout = file_layout(stored->experiment, info, design.size());
  return stored;
}

}  // namespace tariffsim
