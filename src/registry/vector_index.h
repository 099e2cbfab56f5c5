// The in-memory search index, partitioned by who may see a row: per model, one
// public block (every public character) and one block per owner (that owner's
// private and unlisted characters). A match scans the public block and the
// caller's own block only, exactly (no approximation, so a match is never
// missed): its cost is the public rows plus the caller's, whoever else
// registers. A character holding vectors of several models has a row in a
// block of each model.
//
// Memory: public blocks stay resident. Once load_owners_on_demand() is called
// (the server does), an owner's block is read from storage on that owner's
// first match of the model and kept in a cache bounded in bytes, dropping the
// least recently matched owners first; memory follows the public set and the
// active owners. Without it every block stays resident (tests, tools).
//
// Kept in step with creates, added vectors and deletes (local, or another
// instance's through index_sync.h): a change to a cached or public block is
// applied; one to an owner not cached is dropped, since that owner's block is
// read fresh on its next match. Readers share a lock, writers take it alone.
//
// Scoring (cosine, or per part for face_led models) is vector_index_block.h.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "registry/int8_dot.h"
#include "registry/model_catalog.h"
#include "registry/vector_index_block.h"

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

// Reads `owner`'s non-public vectors of `model` from storage into `sink`
// (may throw StorageError: the match then fails as the database does).
using OwnerRowSource = std::function<void(int64_t owner, const std::string& model,
                                          const std::function<void(IndexedCharacter&&)>& sink)>;

class VectorIndex {
 public:
  static constexpr size_t kDefaultOwnerCacheBytes = size_t{512} << 20;

  // `scoring`: the models scored per part (ModelCatalog::scoring()); every
  // other model is plain cosine.
  // `remember_removed`: how long a removed id stays refused (see add()).
  explicit VectorIndex(ScoringTable scoring = {},
                       std::chrono::seconds remember_removed = std::chrono::minutes(10));

  // From now on owners' blocks are read through `source` when first matched
  // and cached within `cache_bytes` (see the top of this file). Call before
  // the index is filled: owner rows already held are dropped.
  void load_owners_on_demand(OwnerRowSource source, size_t cache_bytes = kDefaultOwnerCacheBytes);
  void set_owner_cache_bytes(size_t cache_bytes);
  bool loads_owners_on_demand() const { return static_cast<bool>(source_); }

  // Adding an id already present with that model, or one removed before, is a no-op:
  // instances sharing a database replay changes they made themselves, and a
  // stale replay must not bring a deleted character back. Stale replays come
  // from reads that began before the delete (a sync batch, a reload, an
  // owner's block being read), so a removed id is remembered for
  // `remember_removed`, not forever: the set is bounded by the deletes of that window.
  void add(const IndexedCharacter& character);
  void remove(const std::string& id);

  // Takes `fresh`'s characters in place of this index's (one swap under the
  // lock); ids removed from this index stay refused. Owner blocks cached
  // here are dropped with the rest (they are read again when matched).
  void replace_contents(VectorIndex&& fresh);

  // The k best among the caller's own and public characters of `model`,
  // best first, ties by id. May read the caller's block from storage first.
  std::vector<IndexMatch> search(const std::string& model, const std::vector<int8_t>& query,
                                 int64_t caller_id, size_t k);

  // The score search() would give `stored` for `query` (both of `model`, same
  // size): for verify, which reads the stored vector from storage.
  double score_pair(const std::string& model, const std::vector<int8_t>& query,
                    const std::vector<int8_t>& stored) const;

  const ScoringTable& scoring() const { return scoring_; }
  size_t size() const;  // characters (ids) held in memory, whatever number of models each holds
  size_t remembered_removals() const;

  struct Stats {
    size_t public_rows = 0;
    size_t owner_blocks = 0;  // cached (or, without a source, resident)
    size_t owner_rows = 0;
    size_t owner_cache_bytes = 0;  // approx_bytes() of the owner blocks held
    uint64_t owner_loads = 0;      // blocks read from storage so far
    uint64_t owner_evictions = 0;
  };
  Stats stats() const;

 private:
  static constexpr int64_t kPublic = std::numeric_limits<int64_t>::min();
  struct BlockKey {
    std::string model;
    int64_t owner;  // kPublic for the public block
    bool operator<(const BlockKey& o) const {
      return owner != o.owner ? owner < o.owner : model < o.model;
    }
    bool operator==(const BlockKey& o) const { return owner == o.owner && model == o.model; }
  };
  struct Location {
    BlockKey block;
    size_t row;
  };
  // An owner's block being read from storage: changes for it that arrive
  // meanwhile are kept here and applied when it is installed.
  struct Loading {
    int readers = 0;
    std::vector<IndexedCharacter> pending;
  };
  using BlockPtr = std::shared_ptr<IndexBlock>;

  BlockPtr load_owner_block(const BlockKey& key, size_t dims);
  BlockPtr make_block(const std::string& model, size_t dims) const;
  bool append_locked(const BlockKey& key, IndexBlock& block, const IndexedCharacter& c);
  void remove_row_locked(const BlockKey& key, IndexBlock& block, size_t row);
  void drop_block_locked(std::map<BlockKey, BlockPtr>::iterator block);
  void evict_locked(const BlockKey& keep);
  void forget_old_removals(std::chrono::steady_clock::time_point now);

  ScoringTable scoring_;
  OwnerRowSource source_;
  size_t cache_bytes_limit_ = kDefaultOwnerCacheBytes;
  mutable std::shared_mutex mutex_;
  std::map<BlockKey, BlockPtr> blocks_;
  // Every block row of an id, one per model it holds.
  std::unordered_map<std::string, std::vector<Location>> locations_;
  std::map<BlockKey, Loading> loading_;
  mutable std::atomic<uint64_t> tick_{0};
  uint64_t owner_loads_ = 0;
  uint64_t owner_evictions_ = 0;
  const std::chrono::seconds remember_removed_;
  std::unordered_set<std::string> removed_;  // ids are random and never reused
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> removed_order_;
  DotKernel dot_;
};

}  // namespace charid::registry
