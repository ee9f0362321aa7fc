#include "hdf5_interface.hpp"

#include <hdf5_hl.h>

#include <cstdlib>

#include "tariffsim/result_check.hpp"

namespace tariffsim {

namespace {

// HDF5 keeps its error stack per thread (Debian builds it thread-safe), and the writer runs on
// TBB's workers: so the silencing, and the cause it keeps, are per thread too.
thread_local std::string last_error;
thread_local bool silenced = false;

// The innermost description reads like "file write failed: time = ..., errno = 28, error message
// = 'No space left on device', buf = ...": keep what failed and the system's words for why.
std::string readable(const std::string& desc) {
  const std::string marker = "error message = '";
  const auto at = desc.find(marker);
  if (at == std::string::npos) return desc;
  const auto start = at + marker.size();
  const auto end = desc.find('\'', start);
  return desc.substr(0, desc.find(':')) + ": " + desc.substr(start, end - start);
}

herr_t keep_innermost(hid_t stack, void*) {
  if (std::getenv("TARIFFSIM_HDF5_DEBUG")) H5Eprint2(stack, stderr);  // the whole stack, on request
  std::string innermost;
  H5Ewalk2(
      stack, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &innermost);
  last_error = readable(innermost);
  return 0;
}

}  // namespace

void silence_hdf5_errors() {
  if (silenced) return;
  H5Eset_auto2(H5E_DEFAULT, keep_innermost, nullptr);
  silenced = true;
}

std::string last_hdf5_error() {
  return last_error;
}

std::string detail::hdf5_cause(const H5::Exception& e) {
  std::string cause =
      last_error.empty() ? e.getDetailMsg() : last_error + " (" + e.getDetailMsg() + ")";
  last_error.clear();
  return cause;
}

void detail::forget_hdf5_error() {
  last_error.clear();
}

namespace detail {

H5::StrType utf8_string_type() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

H5::StrType fixed_string_type(std::size_t width) {
  H5::StrType t(H5::PredType::C_S1, std::max<std::size_t>(1, width));
  t.setCset(H5T_CSET_UTF8);
  t.setStrpad(H5T_STR_NULLPAD);
  return t;
}

void set_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const auto type = utf8_string_type();
  if (obj.attrExists(name)) obj.removeAttr(name);
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

void describe(H5::DataSet& ds, const std::string& description, const std::string& unit) {
  set_attr(ds, "description", description);
  set_attr(ds, "unit", unit.empty() ? "1" : unit);
}

H5::DataSet make_dataset(H5::Group& g, const std::string& name, const H5::DataType& type,
                         std::vector<hsize_t> dims, const void* fill, const Chunking& how) {
  std::vector<hsize_t> chunk = dims;
  for (auto& c : chunk) c = std::max<hsize_t>(1, c);
  hsize_t row = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) row *= chunk[i];
  if (how.per_replication) {
    chunk[0] = 1;
    // Split a point's block along replications until a chunk is at most chunk_elements.
    for (std::size_t i = 1; i < chunk.size() && row > how.chunk_elements; ++i) {
      const hsize_t rest = row / chunk[i];
      chunk[i] = std::max<hsize_t>(1, how.chunk_elements / std::max<hsize_t>(1, rest));
      row = rest * chunk[i];
    }
  } else {
    chunk[0] = std::min<hsize_t>(
        chunk[0], std::max<hsize_t>(1, std::min(how.column_rows, kChunkElements / row)));
  }
  H5::DSetCreatPropList plist;
  plist.setChunk(static_cast<int>(chunk.size()), chunk.data());
  if (fill) plist.setFillValue(type, fill);
  // Chunks are allocated when first written. Those of replications/ and series/ that no point
  // wrote stay unallocated (they read as the fill value); the point columns' chunks that hold the
  // file's own points are allocated at creation (allocate_own_rows), or here.
  const bool rewritten_in_place = !how.per_replication && how.deflate == 0;
  const bool unfilled = how.unfilled && rewritten_in_place;
  const bool early = how.allocate_early && rewritten_in_place;
  plist.setAllocTime(early ? H5D_ALLOC_TIME_EARLY : H5D_ALLOC_TIME_INCR);
  if (unfilled)
    plist.setFillTime(H5D_FILL_TIME_NEVER);
  else if (early)
    plist.setFillTime(H5D_FILL_TIME_ALLOC);
  if (how.deflate > 0) {
    plist.setShuffle();
    plist.setDeflate(static_cast<unsigned>(how.deflate));
  }
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  return g.createDataSet(name, type, space, plist,
                         rewritten_in_place ? direct_access() : H5::DSetAccPropList::DEFAULT);
}

H5::DSetAccPropList direct_access() {
  H5::DSetAccPropList dapl;
  dapl.setChunkCache(0, 0, 1.0);
  return dapl;
}

void attach_axis(const H5::DataSet& ds, unsigned dim, const H5::DataSet& axis,
                 const std::string& label) {
  if (H5DSattach_scale(ds.getId(), axis.getId(), dim) < 0 ||
      H5DSset_label(ds.getId(), dim, label.c_str()) < 0)
    throw H5::DataSetIException("H5DSattach_scale", "cannot attach a dimension scale");
}

void write_rows(H5::DataSet& ds, hsize_t first, hsize_t count, const void* data,
                const H5::DataType& memtype) {
  const detail::RowSlab slab(ds, first, count);
  ds.write(data, memtype, slab.memory, slab.file);
}

}  // namespace detail

}  // namespace tariffsim
