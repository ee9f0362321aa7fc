#include "row_copy.hpp"

#include "hdf5_interface.hpp"
#include "tariffsim/result_check.hpp"

namespace tariffsim::detail {

namespace {

// Copies rows [first, first + count) x columns [0, cols) of a dataset, in its own file type, from
// src to dst, in pieces of bounded size (hdf5_interface.hpp piece_bytes): a shard's run of rows can
// be far larger than memory.
void copy_box(const H5::DataSet& src, H5::DataSet& dst, hsize_t first, hsize_t count,
              hsize_t cols) {
  const H5::DataType type = src.getDataType();
  std::vector<char> buffer;
  detail::for_each_piece(
      dst, first, count, cols, [&](hsize_t row, hsize_t rows, hsize_t col, hsize_t n) {
        const detail::RowSlab from(src, row, rows, col, n), to(dst, row, rows, col, n);
        buffer.resize(from.elements * type.getSize());
        try {
          src.read(buffer.data(), type, from.memory, from.file);
        } catch (const H5::Exception& e) {
          throw ShardReadError("rows " + std::to_string(row) + ".." +
                               std::to_string(row + rows - 1) +
                               " cannot be read (damaged?): " + detail::hdf5_cause(e));
        }
        dst.write(buffer.data(), type, to.memory, to.file);
      });
}

// Copies rows [first, first + count) of a per-replication dataset: of each point only the columns
// the run wrote (its replications, status/replications, rounded up to whole chunks), so the merged
// file allocates the same chunks as a single run and a point that stopped early costs no more.
void copy_replication_rows(const H5::DataSet& src, H5::DataSet& dst, const H5::DataSet& run,
                           hsize_t first, hsize_t count) {
  constexpr hsize_t kRowsRead = 1u << 16;  // status/replications is read in blocks as well
  std::vector<std::uint64_t> reps;
  for (hsize_t block = first; block < first + count; block += kRowsRead) {
    const hsize_t n = std::min(kRowsRead, first + count - block);
    reps.resize(n);
    const detail::RowSlab slab(run, block, n);
    run.read(reps.data(), H5::PredType::NATIVE_UINT64, slab.memory, slab.file);
    for (hsize_t i = 0; i < n;) {
      hsize_t j = i + 1;
      while (j < n && reps[j] == reps[i]) ++j;
      if (reps[i] > 0)
        copy_box(src, dst, block + i, j - i, detail::replication_extent(dst, reps[i]));
      i = j;
    }
  }
}

}  // namespace

void copy_rows(const H5::Group& src, const std::string& name, H5::DataSet& dst, hsize_t first,
               hsize_t count) {
  const H5::DataSet from = src.openDataSet(name);
  if (detail::is_per_replication(name)) {
    copy_replication_rows(from, dst, src.openDataSet("status/replications"), first, count);
    return;
  }
  const auto dims = detail::dims_of(dst);
  copy_box(from, dst, first, count, dims.size() >= 2 ? dims[1] : 1);
}

void for_each_run(const std::vector<std::uint8_t>& bits,
                  const std::function<void(hsize_t, hsize_t)>& f) {
  for (std::size_t i = 0; i < bits.size();) {
    if (!bits[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < bits.size() && bits[j]) ++j;
    f(i, j - i);
    i = j;
  }
}

MergeTarget::MergeTarget(const std::string& out, const FileLayout& layout)
    : file(out, H5F_ACC_RDWR), group(file.openGroup(layout.experiment->name)) {
  for (const auto& name : result_dataset_paths(layout)) datasets.push_back(group.openDataSet(name));
}

}  // namespace tariffsim::detail
