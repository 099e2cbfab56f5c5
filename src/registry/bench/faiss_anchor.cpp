// The exact-search anchor for bench/registry.mjs: FAISS IndexFlatIP over the
// same int8 vectors the registry holds (dequantised and L2-normalised, so
// inner product = cosine), one query at a time like the HTTP match route.
//
// usage: charid-registry-faiss-anchor <vectors.i8> <queries.i8> <dims> <k>
// Prints one JSON line: rows, queries, add_ms, p50_ms, p99_ms, and the top
// ids (row numbers) per query so the bench can compare results.
#include <faiss/IndexFlat.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace {

std::vector<float> read_normalised(const char* path, size_t dims, size_t* rows) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    std::exit(2);
  }
  const size_t bytes = static_cast<size_t>(in.tellg());
  in.seekg(0);
  *rows = bytes / dims;
  std::vector<int8_t> raw(*rows * dims);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  std::vector<float> out(raw.size());
  for (size_t r = 0; r < *rows; ++r) {
    double norm2 = 0;
    for (size_t d = 0; d < dims; ++d) norm2 += double(raw[r * dims + d]) * raw[r * dims + d];
    const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
    for (size_t d = 0; d < dims; ++d) out[r * dims + d] = raw[r * dims + d] * inv;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <vectors.i8> <queries.i8> <dims> <k>\n", argv[0]);
    return 2;
  }
  const size_t dims = std::strtoul(argv[3], nullptr, 10);
  const int k = std::atoi(argv[4]);
  // One thread: the registry scans on one thread per request, and the
  // machine is shared; this compares like with like.
  omp_set_num_threads(1);
  size_t rows = 0, queries = 0;
  const auto base = read_normalised(argv[1], dims, &rows);
  const auto query = read_normalised(argv[2], dims, &queries);

  using clock = std::chrono::steady_clock;
  faiss::IndexFlatIP index(static_cast<faiss::Index::idx_t>(dims));
  const auto t0 = clock::now();
  index.add(static_cast<faiss::Index::idx_t>(rows), base.data());
  const double add_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();

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
  std::printf("{\"rows\":%zu,\"queries\":%zu,\"add_ms\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"top\":[",
              rows, queries, add_ms, pct(0.50), pct(0.99));
  for (size_t q = 0; q < queries; ++q) {
    std::printf("%s[", q ? "," : "");
    for (int i = 0; i < k; ++i) std::printf("%s%lld", i ? "," : "", static_cast<long long>(top[q][i]));
    std::printf("]");
  }
  std::printf("]}\n");
  return 0;
}
