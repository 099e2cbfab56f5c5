// The exact-search anchor for bench/registry.mjs: FAISS IndexFlatIP over the
// same int8 vectors the registry holds (dequantised and L2-normalised, so
// inner product = cosine), one query at a time like the HTTP match route.
//
// usage: charid-registry-faiss-anchor <vectors.i8> <queries.i8> <dims> <k> [max_queries]
// Prints one JSON line: rows, queries, add_ms, p50_ms, p99_ms, and the top
// ids (row numbers) per query so the bench can compare results.
#include <faiss/IndexFlat.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace {

void normalise(const int8_t* raw, size_t rows, size_t dims, float* out) {
  for (size_t r = 0; r < rows; ++r) {
    double norm2 = 0;
    for (size_t d = 0; d < dims; ++d) norm2 += double(raw[r * dims + d]) * raw[r * dims + d];
    const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
    for (size_t d = 0; d < dims; ++d) out[r * dims + d] = raw[r * dims + d] * inv;
  }
}

// Reads `path` in chunks of rows and hands each normalised chunk to `sink`,
// so memory holds the index plus one chunk, not a second full copy.
template <typename Sink>
size_t read_normalised(const char* path, size_t dims, Sink sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    std::exit(2);
  }
  constexpr size_t kChunkRows = 8192;
  std::vector<int8_t> raw(kChunkRows * dims);
  std::vector<float> chunk(kChunkRows * dims);
  size_t total = 0;
  for (;;) {
    in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
    const size_t rows = static_cast<size_t>(in.gcount()) / dims;
    if (rows == 0) break;
    normalise(raw.data(), rows, dims, chunk.data());
    sink(chunk.data(), rows);
    total += rows;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s <vectors.i8> <queries.i8> <dims> <k> [max_queries]\n", argv[0]);
    return 2;
  }
  const size_t dims = std::strtoul(argv[3], nullptr, 10);
  const int k = std::atoi(argv[4]);
  const size_t max_queries = argc == 6 ? std::strtoul(argv[5], nullptr, 10) : SIZE_MAX;
  // One thread: the registry scans on one or two threads per request, and
  // the machine is shared; FAISS's multi-query BLAS path does not apply to
  // one query at a time anyway.
  omp_set_num_threads(1);

  using clock = std::chrono::steady_clock;
  faiss::IndexFlatIP index(static_cast<faiss::Index::idx_t>(dims));
  const auto t0 = clock::now();
  const size_t rows = read_normalised(argv[1], dims, [&](const float* chunk, size_t n) {
    index.add(static_cast<faiss::Index::idx_t>(n), chunk);
  });
  const double add_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  std::vector<float> query;
  size_t queries = read_normalised(argv[2], dims, [&](const float* chunk, size_t n) {
    query.insert(query.end(), chunk, chunk + n * dims);
  });
  queries = std::min(queries, max_queries);

  std::vector<double> latencies;
  std::vector<std::vector<faiss::Index::idx_t>> top(queries, std::vector<faiss::Index::idx_t>(k));
  std::vector<float> scores(k);
  for (size_t q = 0; q < queries; ++q) {
    const auto start = clock::now();
    index.search(1, query.data() + q * dims, k, scores.data(), top[q].data());
    latencies.push_back(std::chrono::duration<double, std::milli>(clock::now() - start).count());
  }
  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) {
    return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, size_t(p * sorted.size()))];
  };
  std::printf(
      "{\"rows\":%zu,\"queries\":%zu,\"add_ms\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"top\":[",
      rows, queries, add_ms, pct(0.50), pct(0.99));
  for (size_t q = 0; q < queries; ++q) {
    std::printf("%s[", q ? "," : "");
    for (int i = 0; i < k; ++i)
      std::printf("%s%lld", i ? "," : "", static_cast<long long>(top[q][i]));
    std::printf("]");
  }
  std::printf("]}\n");
  return 0;
}
