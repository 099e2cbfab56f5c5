#include "registry/vector_index.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <future>
#include <mutex>
#include <queue>
#include <thread>

namespace charid::registry {

VectorIndex::VectorIndex() : dot_(best_dot_kernel()) {}

void VectorIndex::add(const IndexedCharacter& c) {
  int64_t sum = 0;
  int64_t norm2 = 0;
  for (int8_t x : c.vector) {
    sum += x;
    norm2 += int64_t{x} * x;
  }
  if (norm2 == 0) return;  // validation refuses all-zero vectors; never divide by zero

  std::unique_lock lock(mutex_);
  if (locations_.count(c.id) || removed_.count(c.id)) return;
  Shard& shard = shards_[c.model];
  if (shard.dims == 0) shard.dims = c.vector.size();
  if (shard.dims != c.vector.size()) return;  // a model's dims never change
  const size_t row = shard.ids.size();
  shard.data.insert(shard.data.end(), c.vector.begin(), c.vector.end());
  shard.sums.push_back(static_cast<int32_t>(sum));
  shard.inv_norms.push_back(static_cast<float>(1.0 / std::sqrt(static_cast<double>(norm2))));
  shard.owners.push_back(c.owner_id);
  shard.is_public.push_back(c.is_public ? 1 : 0);
  shard.ids.push_back(c.id);
  shard.names.push_back(c.name);
  locations_[c.id] = Location{c.model, row};
}

void VectorIndex::remove(const std::string& id) {
  std::unique_lock lock(mutex_);
  removed_.insert(id);
  const auto found = locations_.find(id);
  if (found == locations_.end()) return;
  Shard& shard = shards_[found->second.model];
  const size_t row = found->second.row;
  const size_t last = shard.ids.size() - 1;
  // Swap the last row into the hole: O(dims), and the block stays dense.
  if (row != last) {
    std::copy_n(shard.data.begin() + last * shard.dims, shard.dims,
                shard.data.begin() + row * shard.dims);
    shard.sums[row] = shard.sums[last];
    shard.inv_norms[row] = shard.inv_norms[last];
    shard.owners[row] = shard.owners[last];
    shard.is_public[row] = shard.is_public[last];
    shard.ids[row] = std::move(shard.ids[last]);
    shard.names[row] = std::move(shard.names[last]);
    locations_[shard.ids[row]].row = row;
  }
  // Zero the freed bytes: a deleted vector does not linger in memory either.
  std::fill_n(shard.data.begin() + last * shard.dims, shard.dims, int8_t{0});
  shard.data.resize(last * shard.dims);
  shard.sums.pop_back();
  shard.inv_norms.pop_back();
  shard.owners.pop_back();
  shard.is_public.pop_back();
  shard.ids.pop_back();
  shard.names.pop_back();
  locations_.erase(found);
}

void VectorIndex::replace_contents(VectorIndex&& fresh) {
  std::scoped_lock lock(mutex_, fresh.mutex_);
  shards_ = std::move(fresh.shards_);
  locations_ = std::move(fresh.locations_);
  removed_.insert(fresh.removed_.begin(), fresh.removed_.end());
}

std::vector<IndexMatch> VectorIndex::search(const std::string& model,
                                            const std::vector<int8_t>& query, int64_t caller_id,
                                            size_t k) const {
  int64_t qnorm2 = 0;
  std::vector<uint8_t> biased(query.size());
  for (size_t i = 0; i < query.size(); ++i) {
    qnorm2 += int64_t{query[i]} * query[i];
    biased[i] = static_cast<uint8_t>(static_cast<int>(query[i]) + 128);
  }
  if (qnorm2 == 0 || k == 0) return {};
  const float q_inv = static_cast<float>(1.0 / std::sqrt(static_cast<double>(qnorm2)));

  std::shared_lock lock(mutex_);
  const auto it = shards_.find(model);
  if (it == shards_.end() || it->second.dims != query.size()) return {};
  const Shard& shard = it->second;

  // Large shards are scanned by two or more threads sharing small chunks of
  // rows: the scan is bound by memory bandwidth per core, and on a busy
  // machine a helper that is scheduled late simply takes fewer chunks
  // instead of holding the request up.
  const size_t rows = shard.ids.size();
  const size_t bytes = rows * shard.dims;
  const size_t threads =
      bytes < kParallelScanBytes
          ? 1
          : std::min<size_t>(kMaxScanThreads, std::max(1u, std::thread::hardware_concurrency()));
  const size_t chunk_rows = std::max<size_t>(256, kChunkBytes / shard.dims);
  const size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  std::atomic<size_t> next_chunk{0};
  std::vector<std::vector<Scored>> partial(threads);
  auto work = [&](size_t worker) {
    std::vector<Scored> best;
    for (size_t c = next_chunk++; c < chunks; c = next_chunk++) {
      const size_t begin = c * chunk_rows;
      scan_rows(shard, query, biased, q_inv, caller_id, k, begin,
                std::min(rows, begin + chunk_rows), best);
    }
    partial[worker] = std::move(best);
  };
  std::vector<std::future<void>> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.push_back(std::async(std::launch::async, work, t));
  work(0);
  for (auto& h : helpers) h.get();

  std::vector<Scored> merged;
  for (auto& p : partial) merged.insert(merged.end(), p.begin(), p.end());
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

// Folds rows [begin, end) that the caller may see into `best`, a min-heap
// (by score) of at most k entries.
void VectorIndex::scan_rows(const Shard& shard, const std::vector<int8_t>& query,
                            const std::vector<uint8_t>& biased, float q_inv, int64_t caller_id,
                            size_t k, size_t begin, size_t end, std::vector<Scored>& best) const {
  const auto worse = [](const Scored& a, const Scored& b) { return a.first > b.first; };
  const size_t dims = shard.dims;
  for (size_t r = begin; r < end; ++r) {
    if (!shard.is_public[r] && shard.owners[r] != caller_id) continue;
    const int32_t dot =
        dot_(query.data(), biased.data(), shard.data.data() + r * dims, shard.sums[r], dims);
    const float score = static_cast<float>(dot) * shard.inv_norms[r] * q_inv;
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
