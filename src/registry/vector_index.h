// The in-memory search index: one shard per model, every vector kept as int8
// in one contiguous block and scanned exactly (no approximation, so a match
// is never missed). Rebuilt from storage at start and kept in step with
// creates and deletes; readers share a lock, writers take it alone.
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "registry/huge_page_allocator.h"
#include "registry/int8_dot.h"

namespace charid::registry {

struct IndexedCharacter {
  std::string id;
  std::string name;
  std::string model;
  int64_t owner_id = 0;
  bool is_public = false;  // matchable by every key, not only the owner's
  std::vector<int8_t> vector;
};

struct IndexMatch {
  std::string id;
  std::string name;
  double score;  // cosine similarity in [-1, 1]
};

class VectorIndex {
 public:
  VectorIndex();

  // Adding an id already present, or one removed before, is a no-op:
  // instances sharing a database replay changes they made themselves, and a
  // stale replay must not bring a deleted character back.
  void add(const IndexedCharacter& character);
  void remove(const std::string& id);

  // The k best by cosine among the caller's own and public characters of
  // `model`, best first.
  // Takes `fresh`'s characters in place of this index's (one swap under the
  // lock); ids removed from this index stay refused.
  void replace_contents(VectorIndex&& fresh);

  std::vector<IndexMatch> search(const std::string& model, const std::vector<int8_t>& query,
                                 int64_t caller_id, size_t k) const;

  size_t size() const;

 private:
  struct Shard {
    size_t dims = 0;
    std::vector<int8_t, HugePageAllocator<int8_t>> data;  // rows * dims
    std::vector<int32_t> sums;                            // per row, for the VNNI bias correction
    std::vector<float> inv_norms;                         // per row, 1/|v|
    std::vector<int64_t> owners;
    std::vector<uint8_t> is_public;
    std::vector<std::string> ids;
    std::vector<std::string> names;
  };
  using Scored = std::pair<float, size_t>;
  // Below this many vector bytes one thread scans faster than it can hand off.
  static constexpr size_t kParallelScanBytes = 32u << 20;
  static constexpr size_t kMaxScanThreads = 4;
  static constexpr size_t kChunkBytes = 2u << 20;  // rows handed out at a time

  void scan_rows(const Shard& shard, const std::vector<int8_t>& query,
                 const std::vector<uint8_t>& biased, float q_inv, int64_t caller_id, size_t k,
                 size_t begin, size_t end, std::vector<Scored>& best) const;

  struct Location {
    std::string model;
    size_t row;
  };

  mutable std::shared_mutex mutex_;
  std::map<std::string, Shard> shards_;
  std::unordered_map<std::string, Location> locations_;
  std::unordered_set<std::string> removed_;  // ids are random and never reused
  DotKernel dot_;
};

}  // namespace charid::registry
