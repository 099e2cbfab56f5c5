#include <catch.hpp>
#include <cmath>
#include <random>

#include "registry/int8_dot.h"
#include "registry/vector_index.h"
#include "registry/random_vector.h"

using namespace charid::registry;

namespace {

double cosine(const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

}  // namespace

TEST_CASE("the SIMD dot kernel equals the scalar one, including -128 and odd tails") {
  std::mt19937 rng(1);
  const DotKernel best = best_dot_kernel();
  const DotKernel scalar = scalar_dot_kernel();
  for (size_t dims : {1u, 15u, 16u, 63u, 64u, 65u, 128u, 1536u, 1537u}) {
    auto q = random_vector(rng, dims);
    auto v = random_vector(rng, dims);
    q[0] = -128;
    v[0] = -128;
    std::vector<uint8_t> biased(dims);
    int32_t v_sum = 0;
    for (size_t i = 0; i < dims; ++i) {
      biased[i] = static_cast<uint8_t>(q[i] + 128);
      v_sum += v[i];
    }
    CHECK(best(q.data(), biased.data(), v.data(), v_sum, dims) ==
          scalar(q.data(), biased.data(), v.data(), v_sum, dims));
  }
}

TEST_CASE("search is exact, filtered by owner and visibility, best first") {
  std::mt19937 rng(2);
  VectorIndex index;
  std::vector<std::vector<int8_t>> vectors;
  for (int i = 0; i < 300; ++i) {
    vectors.push_back(random_vector(rng, 96));
    index.add({"c" + std::to_string(i), "n" + std::to_string(i), "m@1", i % 3, i % 10 == 0,
               vectors.back()});
  }
  index.add({"other-model", "x", "m@2", 0, true, random_vector(rng, 32)});
  const auto query = random_vector(rng, 96);
  const auto found = index.search("m@1", query, /*caller=*/1, 5);
  // Brute force over what caller 1 may see.
  std::vector<std::pair<double, int>> expected;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 1 || i % 10 == 0) expected.emplace_back(cosine(query, vectors[i]), i);
  }
  std::sort(expected.rbegin(), expected.rend());
  REQUIRE(found.size() == 5);
  for (size_t r = 0; r < 5; ++r) {
    CHECK(found[r].id == "c" + std::to_string(expected[r].second));
    CHECK(found[r].score == Approx(expected[r].first).epsilon(1e-5));
  }
}

TEST_CASE("remove takes a character out of search; adding twice is a no-op") {
  std::mt19937 rng(3);
  VectorIndex index;
  const auto a = random_vector(rng, 16);
  const auto b = random_vector(rng, 16);
  index.add({"a", "A", "m@1", 1, false, a});
  index.add({"a", "A", "m@1", 1, false, a});
  index.add({"b", "B", "m@1", 1, false, b});
  CHECK(index.size() == 2);
  CHECK(index.search("m@1", a, 1, 1)[0].id == "a");
  index.remove("a");
  CHECK(index.size() == 1);
  const auto after = index.search("m@1", a, 1, 10);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == "b");
  CHECK(index.search("m@1", a, 2, 10).empty());  // b is private to owner 1
  index.add({"a", "A", "m@1", 1, false, a});     // a stale replay of a's creation
  CHECK(index.size() == 1);
}

TEST_CASE("a shard large enough for the parallel scan gives the same exact answer") {
  std::mt19937 rng(4);
  VectorIndex index;
  const size_t dims = 2048;
  const int rows = 17000;  // 17000 * 2048 bytes > 32 MB: split across threads
  std::vector<std::vector<int8_t>> vectors;
  for (int i = 0; i < rows; ++i) {
    vectors.push_back(random_vector(rng, dims));
    index.add({"c" + std::to_string(i), "n", "m@1", 7, true, vectors.back()});
  }
  for (int trial = 0; trial < 3; ++trial) {
    const auto query = random_vector(rng, dims);
    std::vector<std::pair<double, int>> expected;
    for (int i = 0; i < rows; ++i) expected.emplace_back(cosine(query, vectors[i]), i);
    std::partial_sort(expected.begin(), expected.begin() + 10, expected.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    const auto found = index.search("m@1", query, 1, 10);
    REQUIRE(found.size() == 10);
    for (size_t r = 0; r < 10; ++r)
      CHECK(found[r].score == Approx(expected[r].first).epsilon(1e-5));
    CHECK(found[0].id == "c" + std::to_string(expected[0].second));
  }
}

TEST_CASE("removed ids are remembered for a while, not forever") {
  std::mt19937 rng(5);
  const auto v = random_vector(rng, 16);
  VectorIndex remembering;  // the default window: a stale replay is refused
  remembering.add({"a", "A", "m@1", 1, false, v});
  remembering.remove("a");
  remembering.add({"a", "A", "m@1", 1, false, v});
  CHECK(remembering.size() == 0);
  CHECK(remembering.remembered_removals() == 1);

  // With a zero window every earlier removal is forgotten at the next one, so
  // the set stays bounded however many characters are deleted.
  VectorIndex forgetting({}, std::chrono::seconds(0));
  for (int i = 0; i < 10000; ++i) {
    const std::string id = "c" + std::to_string(i);
    forgetting.add({id, "n", "m@1", 1, false, v});
    forgetting.remove(id);
  }
  CHECK(forgetting.remembered_removals() <= 1);
  CHECK(forgetting.size() == 0);
}

TEST_CASE("a reload swapped in drops ids removed meanwhile") {
  std::mt19937 rng(6);
  const auto v = random_vector(rng, 16);
  VectorIndex index;
  index.add({"kept", "K", "m@1", 1, false, v});
  index.add({"gone", "G", "m@1", 1, false, v});
  VectorIndex fresh;  // read from storage before "gone" was deleted
  fresh.add({"kept", "K", "m@1", 1, false, v});
  fresh.add({"gone", "G", "m@1", 1, false, v});
  index.remove("gone");
  index.replace_contents(std::move(fresh));
  const auto found = index.search("m@1", v, 1, 10);
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == "kept");
}
