#include "registry/vector_index.h"

#include <algorithm>
#include <mutex>

namespace charid::registry {

VectorIndex::VectorIndex(ScoringTable scoring, std::chrono::seconds remember_removed)
    : scoring_(std::move(scoring)), remember_removed_(remember_removed), dot_(best_dot_kernel()) {}

void VectorIndex::load_owners_on_demand(OwnerRowSource source, size_t cache_bytes) {
  std::unique_lock lock(mutex_);
  source_ = std::move(source);
  cache_bytes_limit_ = cache_bytes;
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    auto next = std::next(it);
    if (it->first.owner != kPublic) drop_block_locked(it);
    it = next;
  }
}

void VectorIndex::set_owner_cache_bytes(size_t cache_bytes) {
  std::unique_lock lock(mutex_);
  cache_bytes_limit_ = cache_bytes;
  evict_locked(BlockKey{"", kPublic});
}

VectorIndex::BlockPtr VectorIndex::make_block(const std::string& model, size_t dims) const {
  const auto s = scoring_.find(model);
  return std::make_shared<IndexBlock>(dims, s == scoring_.end() ? nullptr : &s->second);
}

// Appends `c` to `block` (stored under `key`) unless it was removed or is
// already held with that model.
bool VectorIndex::append_locked(const BlockKey& key, IndexBlock& block, const IndexedCharacter& c) {
  if (c.vector.size() != block.dims() || removed_.count(c.id)) return false;
  auto& rows = locations_[c.id];
  for (const Location& l : rows) {
    if (l.block.model == c.model) return false;
  }
  rows.push_back(Location{key, block.rows()});
  block.append(c.id, c.name, c.vector);
  return true;
}

void VectorIndex::add(const IndexedCharacter& c) {
  if (squared_norm(c.vector.data(), c.vector.size()) == 0) return;  // never divide by zero
  const BlockKey key{c.model, c.is_public ? kPublic : c.owner_id};
  std::unique_lock lock(mutex_);
  if (removed_.count(c.id)) return;
  auto it = blocks_.find(key);
  if (it == blocks_.end()) {
    if (key.owner != kPublic && source_) {
      // Not cached: read fresh on the owner's next match, unless a read is
      // under way, which may have begun before this character was stored.
      if (const auto l = loading_.find(key); l != loading_.end()) l->second.pending.push_back(c);
      return;
    }
    it = blocks_.emplace(key, make_block(c.model, c.vector.size())).first;
  }
  append_locked(key, *it->second, c);
}

void VectorIndex::remove_row_locked(const BlockKey& key, IndexBlock& block, size_t row) {
  if (const auto moved = block.remove_row(row)) {
    for (Location& l : locations_[*moved]) {
      if (l.block == key) l.row = row;
    }
  }
}

void VectorIndex::remove(const std::string& id) {
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  forget_old_removals(now);
  if (removed_.insert(id).second) removed_order_.emplace_back(now, id);
  const auto found = locations_.find(id);
  if (found == locations_.end()) return;
  const std::vector<Location> rows = std::move(found->second);
  locations_.erase(found);
  for (const Location& l : rows) remove_row_locked(l.block, *blocks_.at(l.block), l.row);
}

void VectorIndex::drop_block_locked(std::map<BlockKey, BlockPtr>::iterator it) {
  const IndexBlock& block = *it->second;
  for (size_t r = 0; r < block.rows(); ++r) {
    const auto found = locations_.find(block.id(r));
    if (found == locations_.end()) continue;
    auto& rows = found->second;
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const Location& l) { return l.block == it->first; }),
               rows.end());
    if (rows.empty()) locations_.erase(found);
  }
  blocks_.erase(it);
}

// Drops the least recently matched owner blocks until the cached ones fit
// the bound; `keep` (the block just read) stays even when it alone is larger.
void VectorIndex::evict_locked(const BlockKey& keep) {
  if (!source_) return;
  struct Candidate {
    uint64_t last_used;
    size_t bytes;
    std::map<BlockKey, BlockPtr>::iterator it;
  };
  std::vector<Candidate> owners;
  size_t total = 0;
  for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
    if (it->first.owner == kPublic) continue;
    const size_t bytes = it->second->approx_bytes();
    total += bytes;
    if (!(it->first == keep)) owners.push_back({it->second->last_used.load(), bytes, it});
  }
  if (total <= cache_bytes_limit_) return;
  std::sort(owners.begin(), owners.end(),
            [](const Candidate& a, const Candidate& b) { return a.last_used < b.last_used; });
  for (const Candidate& c : owners) {
    if (total <= cache_bytes_limit_) break;
    total -= c.bytes;
    drop_block_locked(c.it);
    ++owner_evictions_;
  }
}

// Reads the block of `key` (dims `dims`) from storage, unless one is cached,
// and installs it. The read runs without the lock; changes that arrive
// meanwhile wait in loading_ and deletes in removed_, so the installed
// block is as current as if it had been read under the lock.
VectorIndex::BlockPtr VectorIndex::load_owner_block(const BlockKey& key, size_t dims) {
  {
    std::unique_lock lock(mutex_);
    if (const auto it = blocks_.find(key); it != blocks_.end()) return it->second;
    ++loading_[key].readers;
  }
  std::vector<IndexedCharacter> rows;
  const auto done_reading = [&] {
    auto l = loading_.find(key);
    std::vector<IndexedCharacter> pending = std::move(l->second.pending);
    if (--l->second.readers == 0) loading_.erase(l);
    return pending;
  };
  try {
    source_(key.owner, key.model, [&rows](IndexedCharacter&& c) { rows.push_back(std::move(c)); });
  } catch (...) {
    std::unique_lock lock(mutex_);
    done_reading();
    throw;
  }
  BlockPtr block = make_block(key.model, dims);
  block->reserve(rows.size());
  std::unordered_set<std::string> seen;
  for (const auto& c : rows) {
    if (c.vector.size() == dims && squared_norm(c.vector.data(), dims) != 0 &&
        seen.insert(c.id).second) {
      block->append(c.id, c.name, c.vector);
    }
  }

  std::unique_lock lock(mutex_);
  const std::vector<IndexedCharacter> pending = done_reading();
  if (const auto it = blocks_.find(key); it != blocks_.end()) return it->second;  // read twice
  for (size_t r = block->rows(); r-- > 0;) {  // downwards: the row moved in was checked
    bool held = removed_.count(block->id(r)) != 0;
    if (const auto l = locations_.find(block->id(r)); !held && l != locations_.end()) {
      for (const Location& at : l->second) held = held || at.block.model == key.model;
    }
    if (held) block->remove_row(r);
  }
  for (size_t r = 0; r < block->rows(); ++r) {
    locations_[block->id(r)].push_back(Location{key, r});
  }
  blocks_.emplace(key, block);
  for (const auto& c : pending) append_locked(key, *block, c);
  block->last_used = ++tick_;
  ++owner_loads_;
  evict_locked(key);
  return block;
}

void VectorIndex::forget_old_removals(std::chrono::steady_clock::time_point now) {
  while (!removed_order_.empty() && now - removed_order_.front().first >= remember_removed_) {
    removed_.erase(removed_order_.front().second);
    removed_order_.pop_front();
  }
}

size_t VectorIndex::remembered_removals() const {
  std::shared_lock lock(mutex_);
  return removed_.size();
}

void VectorIndex::replace_contents(VectorIndex&& fresh) {
  std::scoped_lock lock(mutex_, fresh.mutex_);
  blocks_ = std::move(fresh.blocks_);
  locations_ = std::move(fresh.locations_);
  if (source_) {  // owner rows are read on demand here, whatever `fresh` held
    for (auto it = blocks_.begin(); it != blocks_.end();) {
      auto next = std::next(it);
      if (it->first.owner != kPublic) drop_block_locked(it);
      it = next;
    }
  }
  for (auto& entry : fresh.removed_order_) {
    if (removed_.insert(entry.second).second) removed_order_.push_back(std::move(entry));
  }
  // The fresh index was read from storage before ids this one removed since
  // were deleted: drop them again.
  for (const auto& [at, id] : removed_order_) {
    const auto found = locations_.find(id);
    if (found == locations_.end()) continue;
    const std::vector<Location> rows = std::move(found->second);
    locations_.erase(found);
    for (const Location& l : rows) remove_row_locked(l.block, *blocks_.at(l.block), l.row);
  }
}

std::vector<IndexMatch> VectorIndex::search(const std::string& model,
                                            const std::vector<int8_t>& query, int64_t caller_id,
                                            size_t k) {
  if (k == 0 || caller_id == kPublic) return {};
  const auto s = scoring_.find(model);
  const BlockQuery q(query, s == scoring_.end() ? nullptr : &s->second);
  if (q.inv_norm == 0) return {};
  const BlockKey own_key{model, caller_id};
  // Held across the unlock: a block read just now and evicted before this
  // search scanned it is still scanned (nothing writes to a dropped block).
  BlockPtr loaded;
  for (;;) {
    std::shared_lock lock(mutex_);
    const IndexBlock* own = loaded.get();
    if (!own) {
      const auto it = blocks_.find(own_key);
      if (it != blocks_.end()) own = it->second.get();
    }
    if (!own && source_) {
      lock.unlock();
      loaded = load_owner_block(own_key, query.size());
      continue;
    }
    struct Hit {
      float score;
      const IndexBlock* block;
      size_t row;
    };
    std::vector<Hit> hits;
    const auto pub = blocks_.find(BlockKey{model, kPublic});
    const IndexBlock* public_block = pub == blocks_.end() ? nullptr : pub->second.get();
    for (const IndexBlock* block : {public_block, own}) {
      if (!block || block->dims() != query.size()) continue;
      block->last_used = ++tick_;
      for (const ScoredRow& r : block->top_k(q, k, dot_)) hits.push_back({r.score, block, r.row});
    }
    const size_t n = std::min(k, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                      [](const Hit& a, const Hit& b) {
                        if (a.score != b.score) return a.score > b.score;
                        return a.block->id(a.row) < b.block->id(b.row);
                      });
    std::vector<IndexMatch> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const Hit& h = hits[i];
      out.push_back(IndexMatch{h.block->id(h.row), h.block->name(h.row),
                               std::clamp(double{h.score}, -1.0, 1.0)});
    }
    return out;
  }
}

double VectorIndex::score_pair(const std::string& model, const std::vector<int8_t>& query,
                               const std::vector<int8_t>& stored) const {
  if (query.size() != stored.size() || squared_norm(stored.data(), stored.size()) == 0) return 0.0;
  const auto s = scoring_.find(model);
  const ModelScoring* scoring = s == scoring_.end() ? nullptr : &s->second;
  const BlockQuery q(query, scoring);
  if (q.inv_norm == 0) return 0.0;
  IndexBlock alone(stored.size(), scoring);  // the same scoring as a row of the index
  alone.append("", "", stored);
  return std::clamp(double{alone.top_k(q, 1, dot_).front().score}, -1.0, 1.0);
}

size_t VectorIndex::size() const {
  std::shared_lock lock(mutex_);
  return locations_.size();
}

VectorIndex::Stats VectorIndex::stats() const {
  std::shared_lock lock(mutex_);
  Stats out;
  for (const auto& [key, block] : blocks_) {
    if (key.owner == kPublic) {
      out.public_rows += block->rows();
    } else {
      ++out.owner_blocks;
      out.owner_rows += block->rows();
      out.owner_cache_bytes += block->approx_bytes();
    }
  }
  out.owner_loads = owner_loads_;
  out.owner_evictions = owner_evictions_;
  return out;
}

}  // namespace charid::registry
