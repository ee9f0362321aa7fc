// The typed HDF5 interface the writer, merge, the resume and the checks share: the file and
// attribute reads every reader of a path needs, row slabs of point-indexed datasets, typed
// attributes and string types, the chunked datasets of a result file, dimension scales, and one
// readable cause for a failed call. Internal to the engine.
#pragma once

#include <H5Cpp.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace tariffsim::detail {

// True for an existing HDF5 file; false for anything else, including a directory or an unreadable
// path, where H5File::isHdf5 would throw an exception that is not a std::exception.
inline bool is_hdf5_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) return false;
  try {
    return H5::H5File::isHdf5(path.c_str()) > 0;
  } catch (const H5::Exception&) {
    return false;
  }
}

// What went wrong in a failed HDF5 call: the innermost cause HDF5 recorded (e.g. "file write
// failed: No space left on device", kept by silence_hdf5_errors), then the C++ API's summary of
// the call. Clears the recorded cause.
std::string hdf5_cause(const H5::Exception& e);

// Drops the recorded cause of a failure the caller answered itself (a lookup that may fail).
void forget_hdf5_error();

// The H5Cpp destructors report a failed close on std::cerr, one line per handle. After a failed
// write every close of the file's handles fails the same way (their metadata cannot be flushed
// either): ~150 lines that bury the one error the caller reports. Held while such handles are
// dropped, this discards std::cerr's output, the whole process's: the engine writes nothing else
// to std::cerr (its messages go through spdlog and stderr), so another thread loses nothing.
class MutedCerr {
 public:
  MutedCerr() : saved_(std::cerr.rdbuf(nullptr)) {}
  ~MutedCerr() {
    std::cerr.rdbuf(saved_);
    std::cerr.clear();
  }
  MutedCerr(const MutedCerr&) = delete;
  MutedCerr& operator=(const MutedCerr&) = delete;

 private:
  std::streambuf* saved_;
};

// A string attribute of a file, group or dataset; `absent` when it has none.
inline std::string string_attr_or(const H5::H5Object& obj, const std::string& name,
                                  const std::string& absent) {
  if (!obj.attrExists(name)) return absent;
  H5::Attribute a = obj.openAttribute(name);
  std::string out;
  a.read(a.getStrType(), out);
  return out;
}

// Copies and writes go in pieces of at most this many bytes (or one chunk, if larger), so neither
// a batch nor a merge ever needs a shard's whole run of rows in one buffer. 64 MB;
// TARIFFSIM_PIECE_BYTES overrides it so that tests can split small files into many pieces.
inline std::uint64_t piece_bytes() {
  static const std::uint64_t bytes = [] {
    const char* env = std::getenv("TARIFFSIM_PIECE_BYTES");
    const std::uint64_t v = env ? std::strtoull(env, nullptr, 10) : 0;
    return v > 0 ? v : std::uint64_t{64} << 20;
  }();
  return bytes;
}

inline std::vector<hsize_t> dims_of(const H5::DataSet& ds) {
  const H5::DataSpace space = ds.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  return dims;
}

// Rows [first, first + count) of a dataset of any rank whose first dimension is the point index
// (and, for rank >= 2, columns [col, col + cols) of dimension 1; every later dimension whole):
// the file-space selection and the matching dense memory space.
struct RowSlab {
  H5::DataSpace file;
  H5::DataSpace memory;
  hsize_t elements = 0;  // in the slab

  RowSlab(const H5::DataSet& ds, hsize_t first, hsize_t count) : RowSlab(ds, first, count, 0, 0) {}
  // cols = 0: every column.
  RowSlab(const H5::DataSet& ds, hsize_t first, hsize_t count, hsize_t col, hsize_t cols)
      : file(ds.getSpace()) {
    const int rank = file.getSimpleExtentNdims();
    std::vector<hsize_t> counts(static_cast<std::size_t>(rank));
    file.getSimpleExtentDims(counts.data());
    std::vector<hsize_t> start(counts.size(), 0);
    start[0] = first;
    counts[0] = count;
    if (rank >= 2 && cols > 0) {
      start[1] = col;
      counts[1] = cols;
    }
    file.selectHyperslab(H5S_SELECT_SET, counts.data(), start.data());
    memory = H5::DataSpace(rank, counts.data());
    elements = 1;
    for (auto c : counts) elements *= c;
  }
};

// replications/ and series/: per-replication datasets, compressed, with the replication axis as
// dimension 1.
inline bool is_per_replication(const std::string& name) {
  return name.rfind("replications/", 0) == 0 || name.rfind("series/", 0) == 0;
}

// The chunk length along dimension 1 (the replication axis of replications/ and series/).
inline hsize_t column_chunk(const H5::DataSet& ds) {
  const auto dims = dims_of(ds);
  if (dims.size() < 2) return 1;
  std::vector<hsize_t> chunk(dims.size());
  ds.getCreatePlist().getChunk(static_cast<int>(chunk.size()), chunk.data());
  return std::max<hsize_t>(1, chunk[1]);
}

// The columns written for a point that ran `run` replications: rounded up to whole chunks, so each
// compressed chunk is written whole, once, and never read back (a resume may find garbage in the
// chunks of a point a killed run did not mark done). Columns beyond stay unallocated: NaN fill.
inline hsize_t replication_extent(const H5::DataSet& ds, hsize_t run) {
  const hsize_t c = column_chunk(ds);
  return std::min(dims_of(ds).at(1), (run + c - 1) / c * c);
}

// Splits rows [first, first + count) x columns [0, cols) into pieces of at most piece_bytes(),
// whole chunks along dimension 1, and calls f(row, rows, col, ncols) for each, in order.
inline void for_each_piece(const H5::DataSet& ds, hsize_t first, hsize_t count, hsize_t cols,
                           const std::function<void(hsize_t, hsize_t, hsize_t, hsize_t)>& f) {
  const auto dims = dims_of(ds);
  const hsize_t size = ds.getDataType().getSize();
  hsize_t rest = 1;  // elements per column
  for (std::size_t i = 2; i < dims.size(); ++i) rest *= dims[i];
  const hsize_t width = dims.size() >= 2 ? cols : 1;
  const hsize_t row_bytes = std::max<hsize_t>(1, width * rest * size);
  const hsize_t budget = piece_bytes();
  if (row_bytes <= budget) {
    const hsize_t step = budget / row_bytes;
    for (hsize_t r = first; r < first + count; r += step)
      f(r, std::min(step, first + count - r), 0, cols);
    return;
  }
  const hsize_t c = column_chunk(ds);
  const hsize_t step = std::max<hsize_t>(1, budget / (c * rest * size)) * c;
  for (hsize_t r = first; r < first + count; ++r)
    for (hsize_t col = 0; col < cols; col += step) f(r, 1, col, std::min(step, cols - col));
}

// ---- typed attributes and strings ----

H5::StrType utf8_string_type();  // variable-length UTF-8
// Text parameters (enums, lists) are stored as FIXED-length strings: variable-length strings live
// in a heap that a run killed mid-write can leave inconsistent, which a resume could not overwrite.
H5::StrType fixed_string_type(std::size_t width);

void set_attr(H5::H5Object& obj, const std::string& name, const std::string& value);
template <class T>
void set_attr(H5::H5Object& obj, const std::string& name, T value, const H5::PredType& type) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &value);
}

// Every dataset says what it holds and in what unit; "1" = dimensionless (a count, a code, a
// model quantity declared without a unit).
void describe(H5::DataSet& ds, const std::string& description, const std::string& unit);

// ---- the datasets of a result file ----

inline constexpr hsize_t kColumnChunk = 16384, kMinColumnChunk = 1024;
inline constexpr hsize_t kChunkElements = 1u << 17;  // ~1 MB of float64
// With adaptive precision a point writes its replications up to a whole chunk (replication_extent):
// small chunks keep that padding small when a point stops far below the cap.
inline constexpr hsize_t kAdaptiveChunkElements = 1u << 13;  // 64 KB

// How a dataset is chunked and filtered. Per-replication datasets (replications/, series/) get
// chunks of ONE point: a point's chunks are then written whole, once, in one batch, so a run killed
// mid-write leaves at worst garbage in chunks of points not yet marked done, which a resume
// overwrites whole without reading them; `chunk_elements` bounds such a chunk. Point columns get
// chunks of `column_rows` rows, rewritten in place by every batch: never compressed in a file a run
// writes (a compressed chunk rewritten changes size, hence HDF5 metadata), only in one built whole
// before its rename (merge: FORMAT.md, "Compression").
struct Chunking {
  bool per_replication = false;
  int deflate = 0;  // 0 = no filter; else shuffle + deflate at this level
  hsize_t chunk_elements = kChunkElements;
  hsize_t column_rows = kColumnChunk;
  // An uncompressed point column whose rows nobody reads before a batch writes them (a reader
  // goes by status/done): HDF5 writes no fill values into its chunks as it allocates them, so a
  // run writes its file once, not twice (at creation with fill values, then with results).
  bool unfilled = false;
  // An uncompressed point column all of whose rows the file holds (not a shard's): every chunk is
  // allocated as the dataset is made, which writes nothing into an unfilled column and the fill
  // value into another (HDF5 does it a chunk at a time). A shard's file allocates only the chunks
  // around its own rows: allocate_rows.
  bool allocate_early = false;
};

// A dataset whose first dimension is the point index; chunked so batches write in place and a
// 10^7-point file never needs its columns in memory. Unwritten rows read as the fill value, but
// for an `unfilled` column's, which are unspecified (HDF5 leaves a reader's buffer as it was for
// a chunk never allocated, and gives what the disk holds for one allocated).
H5::DataSet make_dataset(H5::Group& g, const std::string& name, const H5::DataType& type,
                         std::vector<hsize_t> dims, const void* fill, const Chunking& how);

// How the writer opens an uncompressed point column: without a chunk cache, so a batch's rows go
// straight to their place in the chunk allocated at creation. Through HDF5's cache (1 MB per
// dataset) a batch of a quarter chunk read the whole chunk once and wrote it whole at every
// flush: 4x the batch's bytes, plus a cache per dataset in memory. Compressed datasets keep the
// cache: a filtered chunk is only ever read and written whole.
H5::DSetAccPropList direct_access();

// Names the dimension `dim` of `ds` by the scale `axis` (HDF5 dimension scales: h5py's
// ds.dims[dim], xarray's dimension names).
void attach_axis(const H5::DataSet& ds, unsigned dim, const H5::DataSet& axis,
                 const std::string& label);

// Writes rows [first, first + count) of a dataset of any rank from a row-major buffer.
void write_rows(H5::DataSet& ds, hsize_t first, hsize_t count, const void* data,
                const H5::DataType& memtype);

}  // namespace tariffsim::detail
