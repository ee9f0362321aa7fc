// Row slabs of point-indexed datasets: the one piece of HDF5 selection logic the writer and
// merge share, and the file check every reader of a path needs. Internal to the engine.
#pragma once

#include <H5Cpp.h>

#include <filesystem>
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

// Rows [first, first + count) of a dataset of any rank whose first dimension is the point index:
// the file-space selection and the matching dense memory space.
struct RowSlab {
  H5::DataSpace file;
  H5::DataSpace memory;
  hsize_t elements = 0;  // in the slab

  RowSlab(const H5::DataSet& ds, hsize_t first, hsize_t count) : file(ds.getSpace()) {
    const int rank = file.getSimpleExtentNdims();
    std::vector<hsize_t> counts(static_cast<std::size_t>(rank));
    file.getSimpleExtentDims(counts.data());
    std::vector<hsize_t> start(counts.size(), 0);
    start[0] = first;
    counts[0] = count;
    file.selectHyperslab(H5S_SELECT_SET, counts.data(), start.data());
    memory = H5::DataSpace(rank, counts.data());
    elements = 1;
    for (auto c : counts) elements *= c;
  }
};

}  // namespace tariffsim::detail
