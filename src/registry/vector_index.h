// The in-memory search index: one shard per model, every vector kept as int8
// in one contiguous block and scanned exactly (no approximation, so a match
// is never missed). Rebuilt from storage at start and kept in step with
// creates, added vectors and deletes; readers share a lock, writers take it
// alone. A character holding vectors of several models has a row in each of
// those models' shards.
//
// Models whose manifest entry names a per-part rule (face_led) are scored by
// core/part_similarity.h: the same int8 kernel runs over each part's range
// (the same bytes as one whole-vector dot), with each row's per-part sums and
// squared norms kept from insertion. Cosine models keep the whole-vector path
// exactly as before parts existed, so their scores do not change by a bit.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "registry/huge_page_allocator.h"
#include "registry/int8_dot.h"
#include "registry/model_catalog.h"

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
  double score;  // the model's similarity (cosine or face_led), in [-1, 1]
};

class VectorIndex {
 public:
  // `scoring`: the models scored per part (ModelCatalog::scoring()); every
  // other model is plain cosine.
  // `remember_removed`: how long a removed id stays refused (see add()).
  explicit VectorIndex(ScoringTable scoring = {},
                       std::chrono::seconds remember_removed = std::chrono::minutes(10));

  // Adding an id already present with that model, or one removed before, is a no-op:
  // instances sharing a database replay changes they made themselves, and a
  // stale replay must not bring a deleted character back. Stale replays come
  // from reads that began before the delete (a sync batch, a reload), so a
  // removed id is remembered for `remember_removed`, not forever: the set is
  // bounded by the deletes of that window.
  void add(const IndexedCharacter& character);
  void remove(const std::string& id);

  // The k best by cosine among the caller's own and public characters of
  // `model`, best first.
  // Takes `fresh`'s characters in place of this index's (one swap under the
  // lock); ids removed from this index stay refused.
  void replace_contents(VectorIndex&& fresh);

  std::vector<IndexMatch> search(const std::string& model, const std::vector<int8_t>& query,
                                 int64_t caller_id, size_t k) const;

  // The score search() would give `stored` for `query` (both of `model`, same
  // size): for verify, which reads the stored vector from storage.
  double score_pair(const std::string& model, const std::vector<int8_t>& query,
                    const std::vector<int8_t>& stored) const;

  const ScoringTable& scoring() const { return scoring_; }
  size_t size() const;  // characters (ids), whatever number of models each holds
  size_t remembered_removals() const;

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
    // Per-part models only: rows * parts.size() sums and squared norms.
    std::optional<ModelScoring> scoring;  // a copy: shards move between indexes
    int face_index = -1;
    std::vector<int32_t> part_sums;
    std::vector<double> part_norms;
  };
  // What scan_rows needs of the query, computed once per search.
  struct Query {
    const std::vector<int8_t>& values;
    std::vector<uint8_t> biased;
    float inv_norm = 0;
    std::vector<double> part_norms;  // per-part models only
  };
  using Scored = std::pair<float, size_t>;
  // Below this many vector bytes one thread scans faster than it can hand off.
  static constexpr size_t kParallelScanBytes = 32u << 20;
  static constexpr size_t kMaxScanThreads = 4;
  static constexpr size_t kChunkBytes = 2u << 20;  // rows handed out at a time

  static Query prepare(const std::vector<int8_t>& values, const ModelScoring* scoring);
  float score_row(const Shard& shard, const Query& q, const int8_t* row_values, int32_t row_sum,
                  float row_inv_norm, const int32_t* part_sums, const double* part_norms,
                  std::vector<PartDot>& scratch) const;
  void scan_rows(const Shard& shard, const Query& q, int64_t caller_id, size_t k, size_t begin,
                 size_t end, std::vector<Scored>& best) const;
  void remove_row(Shard& shard, const std::string& model, size_t row);

  struct Location {
    std::string model;
    size_t row;
  };

  ScoringTable scoring_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Shard> shards_;
  // Every shard row of an id, one per model it holds.
  std::unordered_map<std::string, std::vector<Location>> locations_;
  void forget_old_removals(std::chrono::steady_clock::time_point now);
  const std::chrono::seconds remember_removed_;
  std::unordered_set<std::string> removed_;  // ids are random and never reused
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> removed_order_;
  DotKernel dot_;
};

}  // namespace charid::registry
