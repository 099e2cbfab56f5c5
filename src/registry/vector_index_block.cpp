#include "registry/vector_index_block.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "registry/scan_pool.h"

namespace charid::registry {
namespace {

int32_t value_sum(const int8_t* v, size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += v[i];
  return sum;
}

float inverse_norm(int64_t norm2) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(norm2)));
}

// What the index keeps per row besides the vector: sum, inverse norm, two
// strings' headers, and a location entry (id -> block, row) in a hash map.
constexpr size_t kRowOverheadBytes = 4 + 4 + 2 * sizeof(std::string) + 96;

}  // namespace

int64_t squared_norm(const int8_t* v, size_t n) {
  int64_t norm2 = 0;
  for (size_t i = 0; i < n; ++i) norm2 += int64_t{v[i]} * v[i];
  return norm2;
}

BlockQuery::BlockQuery(const std::vector<int8_t>& v, const ModelScoring* scoring)
    : values(v), biased(v.size()) {
  for (size_t i = 0; i < v.size(); ++i) {
    biased[i] = static_cast<uint8_t>(static_cast<int>(v[i]) + 128);
  }
  const int64_t norm2 = squared_norm(v.data(), v.size());
  if (norm2 > 0) inv_norm = inverse_norm(norm2);
  if (scoring) {
    for (const Part& p : scoring->parts) {
      part_norms.push_back(static_cast<double>(squared_norm(v.data() + p.offset, p.dims)));
    }
  }
}

IndexBlock::IndexBlock(size_t dims, const ModelScoring* scoring) : dims_(dims) {
  if (scoring) {
    scoring_ = *scoring;
    face_index_ = face_part_index(scoring->rule, scoring->parts);
  }
}

void IndexBlock::reserve(size_t rows) {
  const size_t parts = scoring_ ? scoring_->parts.size() : 0;
  data_.reserve(rows * dims_);
  sums_.reserve(rows);
  inv_norms_.reserve(rows);
  ids_.reserve(rows);
  names_.reserve(rows);
  part_sums_.reserve(rows * parts);
  part_norms_.reserve(rows * parts);
}

void IndexBlock::append(const std::string& id, const std::string& name,
                        const std::vector<int8_t>& v) {
  data_.insert(data_.end(), v.begin(), v.end());
  sums_.push_back(value_sum(v.data(), v.size()));
  inv_norms_.push_back(inverse_norm(squared_norm(v.data(), v.size())));
  if (scoring_) {
    for (const Part& p : scoring_->parts) {
      const int8_t* part = v.data() + p.offset;
      part_sums_.push_back(value_sum(part, p.dims));
      part_norms_.push_back(static_cast<double>(squared_norm(part, p.dims)));
    }
  }
  ids_.push_back(id);
  names_.push_back(name);
  text_bytes_ += id.size() + name.size();
}

std::optional<std::string> IndexBlock::remove_row(size_t row) {
  const size_t last = ids_.size() - 1;
  const size_t parts = scoring_ ? scoring_->parts.size() : 0;
  text_bytes_ -= ids_[row].size() + names_[row].size();
  std::optional<std::string> moved;
  if (row != last) {
    std::copy_n(data_.begin() + last * dims_, dims_, data_.begin() + row * dims_);
    sums_[row] = sums_[last];
    inv_norms_[row] = inv_norms_[last];
    std::copy_n(part_sums_.begin() + last * parts, parts, part_sums_.begin() + row * parts);
    std::copy_n(part_norms_.begin() + last * parts, parts, part_norms_.begin() + row * parts);
    ids_[row] = std::move(ids_[last]);
    names_[row] = std::move(names_[last]);
    moved = ids_[row];
  }
  std::fill_n(data_.begin() + last * dims_, dims_, int8_t{0});
  data_.resize(last * dims_);
  sums_.pop_back();
  inv_norms_.pop_back();
  part_sums_.resize(last * parts);
  part_norms_.resize(last * parts);
  ids_.pop_back();
  names_.pop_back();
  return moved;
}

size_t IndexBlock::approx_bytes() const {
  const size_t parts = scoring_ ? scoring_->parts.size() : 0;
  return data_.capacity() + rows() * (kRowOverheadBytes + parts * 12) + text_bytes_ +
         sizeof(IndexBlock);
}

// One row's score: the whole-vector cosine in float (as it always was), or
// the per-part rule from one kernel call per part.
float IndexBlock::score(const BlockQuery& q, const int8_t* values, int32_t sum, float inv_norm,
                        const int32_t* part_sums, const double* part_norms, DotKernel dot,
                        std::vector<PartDot>& scratch) const {
  if (!scoring_) {
    const int32_t d = dot(q.values.data(), q.biased.data(), values, sum, dims_);
    return static_cast<float>(d) * inv_norm * q.inv_norm;
  }
  const auto& parts = scoring_->parts;
  scratch.resize(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    const size_t off = parts[p].offset;
    const int32_t d = dot(q.values.data() + off, q.biased.data() + off, values + off, part_sums[p],
                          parts[p].dims);
    scratch[p] = PartDot{static_cast<double>(d), q.part_norms[p], part_norms[p]};
  }
  return static_cast<float>(fused_similarity(scoring_->rule, face_index_, scratch));
}

// Folds rows [begin, end) into `best`, a heap of at most k entries whose
// front is the worst kept.
void IndexBlock::scan_rows(const BlockQuery& q, size_t k, size_t begin, size_t end, DotKernel dot,
                           std::vector<ScoredRow>& best) const {
  const auto heap_order = [this](const ScoredRow& a, const ScoredRow& b) { return better(a, b); };
  const size_t parts = scoring_ ? scoring_->parts.size() : 0;
  std::vector<PartDot> scratch;
  for (size_t r = begin; r < end; ++r) {
    const ScoredRow scored{
        score(q, data_.data() + r * dims_, sums_[r], inv_norms_[r], part_sums_.data() + r * parts,
              part_norms_.data() + r * parts, dot, scratch),
        r};
    if (best.size() < k) {
      best.push_back(scored);
      std::push_heap(best.begin(), best.end(), heap_order);
    } else if (better(scored, best.front())) {
      std::pop_heap(best.begin(), best.end(), heap_order);
      best.back() = scored;
      std::push_heap(best.begin(), best.end(), heap_order);
    }
  }
}

std::vector<ScoredRow> IndexBlock::top_k(const BlockQuery& q, size_t k, DotKernel dot) const {
  const size_t rows = ids_.size();
  if (rows == 0 || k == 0) return {};
  // Large blocks are scanned by two or more threads sharing small chunks of
  // rows: the scan is bound by memory bandwidth per core, and on a busy
  // machine a helper that is scheduled late simply takes fewer chunks
  // instead of holding the request up. Helpers come from a long-lived pool;
  // this thread takes chunks too and waits only for chunks already claimed,
  // so a helper that starts after the last chunk was taken touches nothing
  // (everything it needs lives in the shared Scan).
  const size_t bytes = rows * dims_;
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
    std::vector<ScoredRow> merged;
  };
  auto scan = std::make_shared<Scan>();
  scan->chunk_rows = std::max<size_t>(256, kChunkBytes / dims_);
  scan->chunks = (rows + scan->chunk_rows - 1) / scan->chunk_rows;
  auto work = [this, scan, &q, k, rows, dot] {
    for (size_t c = scan->next_chunk++; c < scan->chunks; c = scan->next_chunk++) {
      std::vector<ScoredRow> best;
      const size_t begin = c * scan->chunk_rows;
      scan_rows(q, k, begin, std::min(rows, begin + scan->chunk_rows), dot, best);
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
  std::vector<ScoredRow> merged = std::move(scan->merged);
  wait.unlock();

  const size_t n = std::min(k, merged.size());
  std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(n), merged.end(),
                    [this](const ScoredRow& a, const ScoredRow& b) { return better(a, b); });
  merged.resize(n);
  return merged;
}

}  // namespace charid::registry
