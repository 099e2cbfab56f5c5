// One block of the search index: the rows of one model that one kind of caller
// may see together (the public characters, or one owner's private and unlisted
// ones), as one contiguous int8 block with each row's sum and inverse norm
// (and per-part sums and squared norms for models scored per part), scanned
// exactly. VectorIndex (vector_index.h) decides which blocks a match scans;
// this file only knows how to hold rows and score them.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "registry/huge_page_allocator.h"
#include "registry/int8_dot.h"
#include "registry/model_catalog.h"

namespace charid::registry {

// A scored row of a block: ranked by score, ties by id (so the answer does
// not depend on the order rows were added or scanned).
struct ScoredRow {
  float score;
  size_t row;
};

// What scoring needs of the query, computed once per search.
struct BlockQuery {
  const std::vector<int8_t>& values;
  std::vector<uint8_t> biased;
  float inv_norm = 0;
  std::vector<double> part_norms;  // per-part models only

  BlockQuery(const std::vector<int8_t>& values, const ModelScoring* scoring);
};

class IndexBlock {
 public:
  IndexBlock(size_t dims, const ModelScoring* scoring);

  size_t dims() const { return dims_; }
  size_t rows() const { return ids_.size(); }
  const ModelScoring* scoring() const { return scoring_ ? &*scoring_ : nullptr; }
  const std::string& id(size_t row) const { return ids_[row]; }
  const std::string& name(size_t row) const { return names_[row]; }

  // Room for `rows` rows, so a block read whole holds no spare capacity.
  void reserve(size_t rows);
  // Appends a row (the caller checked dims and a non-zero norm).
  void append(const std::string& id, const std::string& name, const std::vector<int8_t>& vector);
  // Moves the last row into `row` (O(dims), the block stays dense) and zeroes
  // the freed bytes, so a deleted vector does not linger in memory either.
  // Returns the id of the row that moved, if one did.
  std::optional<std::string> remove_row(size_t row);

  // The k best rows for `q`, best first (ties by id). Blocks over 32 MB are
  // scanned by a few threads (scan_pool.h); smaller ones by the caller alone.
  std::vector<ScoredRow> top_k(const BlockQuery& q, size_t k, DotKernel dot) const;
  float score(const BlockQuery& q, const int8_t* values, int32_t sum, float inv_norm,
              const int32_t* part_sums, const double* part_norms, DotKernel dot,
              std::vector<PartDot>& scratch) const;
  // true when a ranks before b.
  bool better(const ScoredRow& a, const ScoredRow& b) const {
    return a.score != b.score ? a.score > b.score : ids_[a.row] < ids_[b.row];
  }

  // Roughly what the block holds in memory (vectors, per-row numbers, ids,
  // names and the index's bookkeeping per row): what the owner cache counts.
  size_t approx_bytes() const;

  // For the owner cache's least-recently-used order: a tick of the last
  // search that scanned this block (written under a shared lock, hence atomic).
  mutable std::atomic<uint64_t> last_used{0};

 private:
  void scan_rows(const BlockQuery& q, size_t k, size_t begin, size_t end, DotKernel dot,
                 std::vector<ScoredRow>& best) const;

  // Below this many vector bytes one thread scans faster than it can hand off.
  static constexpr size_t kParallelScanBytes = 32u << 20;
  static constexpr size_t kMaxScanThreads = 4;
  static constexpr size_t kChunkBytes = 2u << 20;  // rows handed out at a time

  size_t dims_;
  std::optional<ModelScoring> scoring_;  // a copy: blocks move between indexes
  int face_index_ = -1;
  std::vector<int8_t, HugePageAllocator<int8_t>> data_;  // rows * dims
  std::vector<int32_t> sums_;                            // per row, for the VNNI bias correction
  std::vector<float> inv_norms_;                         // per row, 1/|v|
  std::vector<std::string> ids_;
  std::vector<std::string> names_;
  std::vector<int32_t> part_sums_;  // rows * parts
  std::vector<double> part_norms_;  // rows * parts
  size_t text_bytes_ = 0;           // ids and names
};

int64_t squared_norm(const int8_t* v, size_t n);

}  // namespace charid::registry
