#include "registry/vector_index.h"

#include "registry/scan_pool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>

namespace charid::registry {
namespace {

int64_t squared_norm(const int8_t* v, size_t n) {
  int64_t norm2 = 0;
  for (size_t i = 0; i < n; ++i) norm2 += int64_t{v[i]} * v[i];
  return norm2;
}

int32_t value_sum(const int8_t* v, size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += v[i];
  return sum;
}

float inverse_norm(int64_t norm2) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(norm2)));
}

}  // namespace

VectorIndex::VectorIndex(ScoringTable scoring, std::chrono::seconds remember_removed)
    : scoring_(std::move(scoring)), remember_removed_(remember_removed), dot_(best_dot_kernel()) {}

void VectorIndex::add(const IndexedCharacter& c) {
  const int64_t norm2 = squared_norm(c.vector.data(), c.vector.size());
  if (norm2 == 0) return;  // validation refuses all-zero vectors; never divide by zero

  std::unique_lock lock(mutex_);
  if (removed_.count(c.id)) return;
  auto& rows = locations_[c.id];
  for (const Location& l : rows) {
    if (l.model == c.model) return;
  }
  const auto fresh_shard = shards_.find(c.model) == shards_.end();
  Shard& shard = shards_[c.model];
  if (fresh_shard) {
    shard.dims = c.vector.size();
    if (const auto s = scoring_.find(c.model); s != scoring_.end()) {
      shard.scoring = s->second;
      shard.face_index = face_part_index(s->second.rule, s->second.parts);
    }
  }
  if (shard.dims != c.vector.size()) {  // a model's dims never change
    if (rows.empty()) locations_.erase(c.id);
    return;
  }
  const size_t row = shard.ids.size();
  shard.data.insert(shard.data.end(), c.vector.begin(), c.vector.end());
  shard.sums.push_back(value_sum(c.vector.data(), c.vector.size()));
  shard.inv_norms.push_back(inverse_norm(norm2));
  if (shard.scoring) {
    for (const Part& p : shard.scoring->parts) {
      const int8_t* part = c.vector.data() + p.offset;
      shard.part_sums.push_back(value_sum(part, p.dims));
      shard.part_norms.push_back(static_cast<double>(squared_norm(part, p.dims)));
    }
  }
  shard.owners.push_back(c.owner_id);
  shard.is_public.push_back(c.is_public ? 1 : 0);
  shard.ids.push_back(c.id);
  shard.names.push_back(c.name);
  rows.push_back(Location{c.model, row});
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
  for (const Location& l : rows) remove_row(shards_[l.model], l.model, l.row);
}

// Swaps the shard's last row into the hole: O(dims), and the block stays dense.
void VectorIndex::remove_row(Shard& shard, const std::string& model, size_t row) {
  const size_t last = shard.ids.size() - 1;
  const size_t parts = shard.scoring ? shard.scoring->parts.size() : 0;
  if (row != last) {
    std::copy_n(shard.data.begin() + last * shard.dims, shard.dims,
                shard.data.begin() + row * shard.dims);
    shard.sums[row] = shard.sums[last];
    shard.inv_norms[row] = shard.inv_norms[last];
    std::copy_n(shard.part_sums.begin() + last * parts, parts, shard.part_sums.begin() + row * parts);
    std::copy_n(shard.part_norms.begin() + last * parts, parts,
                shard.part_norms.begin() + row * parts);
    shard.owners[row] = shard.owners[last];
    shard.is_public[row] = shard.is_public[last];
    shard.ids[row] = std::move(shard.ids[last]);
    shard.names[row] = std::move(shard.names[last]);
    for (Location& l : locations_[shard.ids[row]]) {
      if (l.model == model) l.row = row;
    }
  }
  // Zero the freed bytes: a deleted vector does not linger in memory either.
  std::fill_n(shard.data.begin() + last * shard.dims, shard.dims, int8_t{0});
  shard.data.resize(last * shard.dims);
  shard.sums.pop_back();
  shard.inv_norms.pop_back();
  shard.part_sums.resize(last * parts);
  shard.part_norms.resize(last * parts);
  shard.owners.pop_back();
  shard.is_public.pop_back();
  shard.ids.pop_back();
  shard.names.pop_back();
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
  shards_ = std::move(fresh.shards_);
  locations_ = std::move(fresh.locations_);
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
    for (const Location& l : rows) remove_row(shards_[l.model], l.model, l.row);
  }
}

VectorIndex::Query VectorIndex::prepare(const std::vector<int8_t>& values,
                                        const ModelScoring* scoring) {
  Query q{values, std::vector<uint8_t>(values.size()), 0.0f, {}};
  for (size_t i = 0; i < values.size(); ++i) {
    q.biased[i] = static_cast<uint8_t>(static_cast<int>(values[i]) + 128);
  }
  const int64_t norm2 = squared_norm(values.data(), values.size());
  if (norm2 > 0) q.inv_norm = inverse_norm(norm2);
  if (scoring) {
    for (const Part& p : scoring->parts) {
      q.part_norms.push_back(static_cast<double>(squared_norm(values.data() + p.offset, p.dims)));
    }
  }
  return q;
}

// One row's score: the whole-vector cosine in float (as it always was), or
// the per-part rule from one kernel call per part.
float VectorIndex::score_row(const Shard& shard, const Query& q, const int8_t* row_values,
                             int32_t row_sum, float row_inv_norm, const int32_t* part_sums,
                             const double* part_norms, std::vector<PartDot>& scratch) const {
  if (!shard.scoring) {
    const int32_t dot = dot_(q.values.data(), q.biased.data(), row_values, row_sum, shard.dims);
    return static_cast<float>(dot) * row_inv_norm * q.inv_norm;
  }
  const auto& parts = shard.scoring->parts;
  scratch.resize(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    const size_t off = parts[p].offset;
    const int32_t dot = dot_(q.values.data() + off, q.biased.data() + off, row_values + off,
                             part_sums[p], parts[p].dims);
    scratch[p] = PartDot{static_cast<double>(dot), q.part_norms[p], part_norms[p]};
  }
  return static_cast<float>(fused_similarity(shard.scoring->rule, shard.face_index, scratch));
}

std::vector<IndexMatch> VectorIndex::search(const std::string& model,
                                            const std::vector<int8_t>& query, int64_t caller_id,
                                            size_t k) const {
  std::shared_lock lock(mutex_);
  const auto it = shards_.find(model);
  if (it == shards_.end() || it->second.dims != query.size() || k == 0) return {};
  const Shard& shard = it->second;
  const Query q = prepare(query, shard.scoring ? &*shard.scoring : nullptr);
  if (q.inv_norm == 0) return {};

  // Large shards are scanned by two or more threads sharing small chunks of
  // rows: the scan is bound by memory bandwidth per core, and on a busy
  // machine a helper that is scheduled late simply takes fewer chunks
  // instead of holding the request up. Helpers come from a long-lived pool;
  // this thread takes chunks too and waits only for chunks already claimed,
  // so a helper that starts after the last chunk was taken touches nothing
  // (everything it needs lives in the shared Scan).
  const size_t rows = shard.ids.size();
  const size_t bytes = rows * shard.dims;
  const size_t threads =
      bytes < kParallelScanBytes
          ? 1
          : std::min<size_t>(kMaxScanThreads, std::max(1u, std::thread::hardware_concurrency()));
  struct Scan {
    size_t chunks = 0;
    size_t chunk_rows = 0;
    std::atomic<size_t> next_chunk{0};
    std::mutex mutex;
    std::condition_variable done;
    size_t finished = 0;  // chunks scanned, under mutex
    std::vector<Scored> merged;
  };
  auto scan = std::make_shared<Scan>();
  scan->chunk_rows = std::max<size_t>(256, kChunkBytes / shard.dims);
  scan->chunks = (rows + scan->chunk_rows - 1) / scan->chunk_rows;
  auto work = [this, scan, &shard, &q, caller_id, k, rows] {
    for (size_t c = scan->next_chunk++; c < scan->chunks; c = scan->next_chunk++) {
      std::vector<Scored> best;
      const size_t begin = c * scan->chunk_rows;
      scan_rows(shard, q, caller_id, k, begin, std::min(rows, begin + scan->chunk_rows), best);
      std::lock_guard guard(scan->mutex);
      scan->merged.insert(scan->merged.end(), best.begin(), best.end());
      if (++scan->finished == scan->chunks) scan->done.notify_all();
    }
  };
  if (threads > 1) {
    ScanPool& pool = ScanPool::shared(kMaxScanThreads - 1);
    for (size_t t = 1; t < threads; ++t) pool.submit(work);
  }
  work();
  std::unique_lock wait(scan->mutex);
  scan->done.wait(wait, [&] { return scan->finished == scan->chunks; });
  std::vector<Scored> merged = std::move(scan->merged);
  wait.unlock();

  const size_t n = std::min(k, merged.size());
  std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(n), merged.end(),
                    [](const Scored& a, const Scored& b) { return a.first > b.first; });
  std::vector<IndexMatch> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto [score, r] = merged[i];
    out.push_back(IndexMatch{shard.ids[r], shard.names[r], std::clamp(double{score}, -1.0, 1.0)});
  }
  return out;
}

double VectorIndex::score_pair(const std::string& model, const std::vector<int8_t>& query,
                               const std::vector<int8_t>& stored) const {
  if (query.size() != stored.size()) return 0.0;
  Shard alone;  // the scoring of `model`, without rows
  alone.dims = stored.size();
  if (const auto s = scoring_.find(model); s != scoring_.end()) {
    alone.scoring = s->second;
    alone.face_index = face_part_index(s->second.rule, s->second.parts);
  }
  const Query q = prepare(query, alone.scoring ? &*alone.scoring : nullptr);
  const int64_t norm2 = squared_norm(stored.data(), stored.size());
  if (q.inv_norm == 0 || norm2 == 0) return 0.0;
  std::vector<int32_t> part_sums;
  std::vector<double> part_norms;
  if (alone.scoring) {
    for (const Part& p : alone.scoring->parts) {
      part_sums.push_back(value_sum(stored.data() + p.offset, p.dims));
      part_norms.push_back(static_cast<double>(squared_norm(stored.data() + p.offset, p.dims)));
    }
  }
  std::vector<PartDot> scratch;
  const float score =
      score_row(alone, q, stored.data(), value_sum(stored.data(), stored.size()),
                inverse_norm(norm2), part_sums.data(), part_norms.data(), scratch);
  return std::clamp(double{score}, -1.0, 1.0);
}

// Folds rows [begin, end) that the caller may see into `best`, a min-heap
// (by score) of at most k entries.
void VectorIndex::scan_rows(const Shard& shard, const Query& q, int64_t caller_id, size_t k,
                            size_t begin, size_t end, std::vector<Scored>& best) const {
  const auto worse = [](const Scored& a, const Scored& b) { return a.first > b.first; };
  const size_t dims = shard.dims;
  const size_t parts = shard.scoring ? shard.scoring->parts.size() : 0;
  std::vector<PartDot> scratch;
  for (size_t r = begin; r < end; ++r) {
    if (!shard.is_public[r] && shard.owners[r] != caller_id) continue;
    const float score =
        score_row(shard, q, shard.data.data() + r * dims, shard.sums[r], shard.inv_norms[r],
                  shard.part_sums.data() + r * parts, shard.part_norms.data() + r * parts, scratch);
    if (best.size() < k) {
      best.emplace_back(score, r);
      std::push_heap(best.begin(), best.end(), worse);
    } else if (score > best.front().first) {
      std::pop_heap(best.begin(), best.end(), worse);
      best.back() = {score, r};
      std::push_heap(best.begin(), best.end(), worse);
    }
  }
}

size_t VectorIndex::size() const {
  std::shared_lock lock(mutex_);
  return locations_.size();
}

}  // namespace charid::registry
