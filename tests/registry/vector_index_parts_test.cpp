// The index for models scored per part (face_led), and for characters that
// hold vectors of several models: checked against core/part_similarity.h
// computed directly, which is the rule the wasm module uses too.
#include <catch.hpp>
#include <algorithm>
#include <cmath>
#include <random>

#include "core/part_similarity.h"
#include "registry/vector_index.h"
#include "registry/random_vector.h"

using namespace charid;
using namespace charid::registry;

namespace {

// 64 appearance values, a 64-value face, 32 colour values (multiples of the
// SIMD widths and not, so part boundaries fall inside and between blocks).
ModelScoring face_led_scoring() {
  ModelScoring s;
  s.parts = {{"body", 0, 64}, {"face", 64, 64}, {"colour", 128, 35}};
  s.rule = {SimilarityKind::face_led, "face", 0.8};
  return s;
}
constexpr size_t kDims = 163;

}  // namespace

TEST_CASE("a face_led model is scored per part, exactly as part_similarity says") {
  std::mt19937 rng(11);
  const ModelScoring scoring = face_led_scoring();
  VectorIndex index(ScoringTable{{"fl@1", scoring}});
  std::vector<std::vector<int8_t>> vectors;
  for (int i = 0; i < 200; ++i) {
    auto v = random_vector(rng, kDims);
    // A third of the clips show no face: their face part is all zero.
    if (i % 3 == 0) std::fill(v.begin() + 64, v.begin() + 128, int8_t{0});
    vectors.push_back(v);
    index.add({"c" + std::to_string(i), "n", "fl@1", 1, false, v});
  }
  for (int trial = 0; trial < 2; ++trial) {
    auto query = random_vector(rng, kDims);
    if (trial == 1) std::fill(query.begin() + 64, query.begin() + 128, int8_t{0});
    std::vector<std::pair<double, int>> expected;
    for (int i = 0; i < 200; ++i) {
      expected.emplace_back(
          similarity_int8(scoring.rule, scoring.parts, query.data(), vectors[i].data()), i);
    }
    std::sort(expected.rbegin(), expected.rend());
    const auto found = index.search("fl@1", query, 1, 8);
    REQUIRE(found.size() == 8);
    for (size_t r = 0; r < 8; ++r) {
      CHECK(found[r].id == "c" + std::to_string(expected[r].second));
      CHECK(found[r].score == Approx(expected[r].first).epsilon(1e-6));
    }
    // score_pair (verify) gives the very number search gives.
    const int best = expected[0].second;
    CHECK(index.score_pair("fl@1", query, vectors[best]) == found[0].score);
  }
}

TEST_CASE("face_led in the index: a one-sided face does not lower the score") {
  const ModelScoring scoring = face_led_scoring();
  VectorIndex index(ScoringTable{{"fl@1", scoring}});
  std::mt19937 rng(12);
  auto seen_with_face = random_vector(rng, kDims);
  auto seen_from_behind = seen_with_face;
  std::fill(seen_from_behind.begin() + 64, seen_from_behind.begin() + 128, int8_t{0});
  index.add({"person", "P", "fl@1", 1, false, seen_with_face});
  const auto found = index.search("fl@1", seen_from_behind, 1, 1);
  REQUIRE(found.size() == 1);
  CHECK(found[0].score == Approx(1.0));
  // Whereas a plain cosine model scores the same pair lower.
  VectorIndex plain;
  plain.add({"person", "P", "fl@1", 1, false, seen_with_face});
  CHECK(plain.search("fl@1", seen_from_behind, 1, 1)[0].score < 0.9);
}

TEST_CASE("cosine models score as before parts existed (score_pair equals search)") {
  std::mt19937 rng(13);
  VectorIndex index;
  const auto a = random_vector(rng, 2176);
  const auto q = random_vector(rng, 2176);
  index.add({"a", "A", "charid-id@1", 1, false, a});
  CHECK(index.search("charid-id@1", q, 1, 1)[0].score == index.score_pair("charid-id@1", q, a));
  // Bit for bit the arithmetic of the index before parts: an exact int32
  // dot times two float inverse norms, in float.
  int64_t dot = 0, na = 0, nq = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += int64_t{a[i]} * q[i];
    na += int64_t{a[i]} * a[i];
    nq += int64_t{q[i]} * q[i];
  }
  const float before = static_cast<float>(static_cast<int32_t>(dot)) *
                       static_cast<float>(1.0 / std::sqrt(static_cast<double>(na))) *
                       static_cast<float>(1.0 / std::sqrt(static_cast<double>(nq)));
  CHECK(index.search("charid-id@1", q, 1, 1)[0].score == std::clamp(double{before}, -1.0, 1.0));
}

TEST_CASE("one character, vectors of two models: a row in each shard, removed together") {
  std::mt19937 rng(14);
  VectorIndex index;
  const auto v1 = random_vector(rng, 48);
  const auto v2 = random_vector(rng, 16);
  index.add({"c", "C", "m@1", 1, false, v1});
  index.add({"c", "C", "m@2", 1, false, v2});
  index.add({"c", "C", "m@2", 1, false, v2});  // the same model again: no second row
  index.add({"d", "D", "m@1", 1, false, random_vector(rng, 48)});
  CHECK(index.size() == 2);
  CHECK(index.search("m@1", v1, 1, 1)[0].id == "c");
  REQUIRE(index.search("m@2", v2, 1, 10).size() == 1);
  CHECK(index.search("m@2", v2, 1, 10)[0].id == "c");
  index.remove("c");
  CHECK(index.size() == 1);
  CHECK(index.search("m@2", v2, 1, 10).empty());
  const auto left = index.search("m@1", v1, 1, 10);
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == "d");
  index.add({"c", "C", "m@2", 1, false, v2});  // a stale replay after the delete
  CHECK(index.search("m@2", v2, 1, 10).empty());
}
