// The partitioned index at scale (issue 14, "Scale"), without HTTP: the same
// wiring as the server (RegistryService: public blocks loaded at start, an
// owner's block read from SQLite on its first match into the bounded cache).
//
//   charid-registry-partition-bench seed DIR CHARACTERS OWNERS PUBLIC DIMS
//       writes DIR/registry.sqlite3: PUBLIC public characters and the rest
//       spread evenly over OWNERS owners as private ones (random int8 vectors:
//       an exact scan's cost does not depend on the values).
//   charid-registry-partition-bench match DIR DIMS [CACHE_MB]
//       match p50/p99 of typical owners cold (first match) and warm, of a key
//       with no characters (public block only), resident memory as owners
//       become active. Prints one JSON object.
//   charid-registry-partition-bench all-public ROWS DIMS
//       today's worst case, every character public (one block scanned whole):
//       p50/p99 and resident memory per character. Prints one JSON object.
//
// bench/registry.mjs runs it and writes the figures into docs/BENCHMARKS.md.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "registry/index_sync.h"
#include "registry/sqlite_storage.h"
#include "registry/vector_index.h"

using namespace charid::registry;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kModel = "charid-id@1";

// Fast enough to fill gigabytes: xorshift64*, eight values per draw.
struct FastRandom {
  uint64_t state;
  void fill(std::vector<int8_t>& v) {
    for (size_t i = 0; i < v.size(); i += 8) {
      state ^= state >> 12;
      state ^= state << 25;
      state ^= state >> 27;
      const uint64_t x = state * 2685821657736338717ull;
      for (size_t b = 0; b < 8 && i + b < v.size(); ++b)
        v[i + b] = static_cast<int8_t>(x >> (8 * b));
    }
  }
};

double rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Percentiles {
  double p50, p99;
  size_t n;
};
Percentiles percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
  };
  return {at(0.5), at(0.99), v.size()};
}
std::string json(const Percentiles& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "{\"n\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f}", p.n, p.p50,
                p.p99);
  return buf;
}

int seed(const std::string& dir, size_t characters, size_t owners, size_t publics, size_t dims) {
  SqliteStorage db(dir + "/registry.sqlite3");
  std::vector<int64_t> keys;
  for (size_t o = 0; o < owners + 1; ++o) {  // the last key holds nothing: a public-only caller
    keys.push_back(db.create_key("bench-key-" + std::to_string(o), std::nullopt, "t").id);
  }
  FastRandom rng{0x9e3779b97f4a7c15ull};
  const auto start = Clock::now();
  std::vector<NewCharacter> batch;
  for (size_t i = 0; i < characters; ++i) {
    NewCharacter c;
    c.id = "char_bench" + std::to_string(i);
    c.owner_id = keys[i % owners];  // owner i % owners: public ones spread over the owners too
    c.name = "n" + std::to_string(i);
    c.model = kModel;
    c.visibility = i < publics ? "public" : "private";
    c.created_at = "2026-12-02T00:00:00Z";
    c.scale = 1;
    c.vector.resize(dims);
    rng.fill(c.vector);
    c.vector_hash = c.id;  // unique, which is all the idempotency key needs here
    batch.push_back(std::move(c));
    if (batch.size() == 5000 || i + 1 == characters) {
      db.bulk_insert(batch);
      batch.clear();
    }
  }
  std::printf(
      "{\"seeded\": %zu, \"owners\": %zu, \"public\": %zu, \"dims\": %zu, \"seconds\": %.1f}\n",
      characters, owners, publics, dims, ms_since(start) / 1000);
  return 0;
}

int match(const std::string& dir, size_t dims, size_t cache_mb) {
  SqliteStorage db(dir + "/registry.sqlite3");
  const double rss_open = rss_mb();
  VectorIndex index;
  index.load_owners_on_demand(
      [&db](int64_t owner, const std::string& model, const auto& sink) {
        db.load_owner_vectors(owner, model,
                              [&sink](CharacterRecord&& r) { sink(to_indexed(std::move(r))); });
      },
      cache_mb << 20);
  auto start = Clock::now();
  db.load_public([&index](CharacterRecord&& r) { index.add(to_indexed(std::move(r))); });
  const double load_ms = ms_since(start);
  malloc_trim(0);
  const double rss_public = rss_mb();
  const size_t public_rows = index.stats().public_rows;

  // The keys seed made, in order; the last one holds nothing.
  std::vector<int64_t> owners;
  for (size_t o = 0;; ++o) {
    const auto key = db.find_key("bench-key-" + std::to_string(o));
    if (!key) break;
    owners.push_back(key->id);
  }
  if (owners.size() < 2) throw std::runtime_error("no seeded keys in " + dir);
  const int64_t empty_caller = owners.back();
  owners.pop_back();

  std::mt19937 pick(7);
  FastRandom rng{42};
  std::vector<int8_t> q(dims);
  const auto timed_match = [&](int64_t caller) {
    rng.fill(q);
    const auto t = Clock::now();
    const auto found = index.search(kModel, q, caller, 10);
    const double ms = ms_since(t);
    if (found.size() != 10) std::fprintf(stderr, "bench: only %zu matches\n", found.size());
    return ms;
  };

  std::vector<int64_t> sample(owners);
  std::shuffle(sample.begin(), sample.end(), pick);
  sample.resize(std::min<size_t>(200, sample.size()));
  std::vector<double> cold, warm, public_only;
  for (int64_t o : sample) cold.push_back(timed_match(o));
  for (int round = 0; round < 5; ++round) {
    std::shuffle(sample.begin(), sample.end(), pick);
    for (int64_t o : sample) warm.push_back(timed_match(o));
  }
  for (int i = 0; i < 200; ++i) public_only.push_back(timed_match(empty_caller));
  const auto after_sample = index.stats();
  const double rss_sample = rss_mb();

  // Every owner active once: memory stays within the cache bound.
  std::vector<double> cold_all;
  for (int64_t o : owners) cold_all.push_back(timed_match(o));
  const auto after_all = index.stats();
  const double rss_all = rss_mb();

  std::printf(
      "{\"dims\": %zu, \"public_rows\": %zu, \"owners\": %zu, \"cache_mb\": %zu,"
      " \"load_public_ms\": %.0f, \"rss_mb\": {\"storage_open\": %.0f, \"public_loaded\": %.0f,"
      " \"owners_%zu_active\": %.0f, \"all_owners_matched\": %.0f},"
      " \"owner_rows_per_block\": %.1f, \"owner_block_bytes\": %.0f,"
      " \"cold\": %s, \"warm\": %s, \"public_only\": %s, \"cold_all_owners\": %s,"
      " \"cache_after_all\": {\"blocks\": %zu, \"bytes\": %zu, \"loads\": %llu, \"evictions\": "
      "%llu}}\n",
      dims, public_rows, owners.size(), cache_mb, load_ms, rss_open, rss_public, sample.size(),
      rss_sample, rss_all,
      static_cast<double>(after_sample.owner_rows) / std::max<size_t>(1, after_sample.owner_blocks),
      static_cast<double>(after_sample.owner_cache_bytes) /
          std::max<size_t>(1, after_sample.owner_blocks),
      json(percentiles(cold)).c_str(), json(percentiles(warm)).c_str(),
      json(percentiles(public_only)).c_str(), json(percentiles(cold_all)).c_str(),
      after_all.owner_blocks, after_all.owner_cache_bytes,
      static_cast<unsigned long long>(after_all.owner_loads),
      static_cast<unsigned long long>(after_all.owner_evictions));
  return 0;
}

int all_public(size_t rows, size_t dims) {
  const double rss_start = rss_mb();
  VectorIndex index;
  FastRandom rng{99};
  IndexedCharacter c{"", "n", kModel, 1, true, std::vector<int8_t>(dims)};
  for (size_t i = 0; i < rows; ++i) {
    c.id = "char_public" + std::to_string(i);
    rng.fill(c.vector);
    index.add(c);
  }
  malloc_trim(0);
  const double rss_loaded = rss_mb();
  std::vector<int8_t> q(dims);
  std::vector<double> times;
  const size_t queries = rows >= 500000 ? 50 : 200;
  for (size_t i = 0; i < queries; ++i) {
    rng.fill(q);
    const auto t = Clock::now();
    index.search(kModel, q, 2, 10);
    times.push_back(ms_since(t));
  }
  std::printf(
      "{\"rows\": %zu, \"dims\": %zu, \"match\": %s, \"rss_mb\": %.0f,"
      " \"bytes_per_character\": %.0f}\n",
      rows, dims, json(percentiles(times)).c_str(), rss_loaded - rss_start,
      (rss_loaded - rss_start) * 1048576.0 / static_cast<double>(rows));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  const auto n = [&](size_t i) {
    return static_cast<size_t>(std::strtoull(a[i].c_str(), nullptr, 10));
  };
  try {
    if (a.size() == 6 && a[0] == "seed") return seed(a[1], n(2), n(3), n(4), n(5));
    if ((a.size() == 3 || a.size() == 4) && a[0] == "match") {
      return match(a[1], n(2), a.size() == 4 ? n(3) : VectorIndex::kDefaultOwnerCacheBytes >> 20);
    }
    if (a.size() == 3 && a[0] == "all-public") return all_public(n(1), n(2));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "charid-registry-partition-bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: charid-registry-partition-bench seed DIR CHARACTERS OWNERS PUBLIC DIMS\n"
               "       charid-registry-partition-bench match DIR DIMS [CACHE_MB]\n"
               "       charid-registry-partition-bench all-public ROWS DIMS\n");
  return 2;
}
