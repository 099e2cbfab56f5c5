// The scoring rule of identity vectors, on vectors built here: this is
// arithmetic, so constructed vectors with known answers are the right input.
#include <catch.hpp>
#include <cmath>
#include <vector>

#include "core/part_similarity.h"

using namespace charid;

namespace {

// Layout: appearance [0, 4), face [4, 8), colour [8, 10).
const std::vector<Part> kParts = {{"body", 0, 4}, {"face", 4, 4}, {"colour", 8, 2}};

SimilarityRule face_led(double w) { return {SimilarityKind::face_led, "face", w}; }

double plain_cosine(const std::vector<double>& a, const std::vector<double>& b, size_t begin,
                    size_t end, size_t skip_begin = 0, size_t skip_end = 0) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = begin; i < end; ++i) {
    if (i >= skip_begin && i < skip_end) continue;
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

// One element at a time on purpose: Emscripten 3.1.6 at -O3 with -msimd128 has miscompiled the
// vectorised int8 -> double range copy here now and then (the reference came out 0.011 where the
// exact answer, and the product's value, is 0.1907), so the reference is kept out of the
// vectoriser; the "known answer" check below pins it.
std::vector<double> as_double(const std::vector<int8_t>& v) {
  std::vector<double> out(v.size());
#pragma clang loop vectorize(disable) interleave(disable)
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<double>(static_cast<int>(v[i]));
  return out;
}

}  // namespace

TEST_CASE("part dots are the sums over each part's range, for int8 and float") {
  const std::vector<int8_t> a = {1, 2, 3, 4, -5, 6, 0, 1, 127, -128};
  const std::vector<int8_t> b = {2, 0, -1, 1, 5, 5, 5, 5, -128, -128};
  const PartDots d = part_dots_int8(a.data(), b.data(), kParts);
  REQUIRE(d.size() == 3);
  CHECK(d[0].dot == 2 + 0 - 3 + 4);
  CHECK(d[0].norm_a == 1 + 4 + 9 + 16);
  CHECK(d[0].norm_b == 4 + 0 + 1 + 1);
  CHECK(d[1].dot == -25 + 30 + 0 + 5);
  // Extremes of int8 are exact (no saturation, no overflow).
  CHECK(d[2].dot == 127.0 * -128 + 128.0 * 128);
  CHECK(d[2].norm_b == 2 * 128.0 * 128);

  const std::vector<float> af(a.begin(), a.end());
  const std::vector<float> bf(b.begin(), b.end());
  const PartDots f = part_dots_float(af.data(), bf.data(), kParts);
  for (size_t p = 0; p < 3; ++p) {
    CHECK(f[p].dot == d[p].dot);
    CHECK(f[p].norm_a == d[p].norm_a);
    CHECK(f[p].norm_b == d[p].norm_b);
  }
}

TEST_CASE("cosine is the cosine of the whole vector") {
  const std::vector<int8_t> a = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
  const std::vector<int8_t> b = {2, 7, -1, 8, 2, 8, -1, 8, 2, 8};
  const double want = plain_cosine(as_double(a), as_double(b), 0, 10);
  // by hand: a.b = 49, |a|^2 = 207, |b|^2 = 319
  REQUIRE(want == Approx(49.0 / std::sqrt(207.0 * 319.0)).epsilon(1e-12));
  CHECK(similarity_int8({}, kParts, a.data(), b.data()) == Approx(want).epsilon(1e-12));
  CHECK(similarity_int8({}, kParts, a.data(), a.data()) == Approx(1.0));
  const std::vector<int8_t> zero(10, 0);
  CHECK(similarity_int8({}, kParts, a.data(), zero.data()) == 0.0);
}

TEST_CASE("face_led: both faces -> W * face cosine + (1 - W) * cosine of the other parts") {
  const std::vector<int8_t> a = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
  const std::vector<int8_t> b = {2, 7, -1, 8, 2, 8, -1, 8, 2, 8};
  const auto da = as_double(a), db = as_double(b);
  const double face = plain_cosine(da, db, 4, 8);
  const double rest = plain_cosine(da, db, 0, 10, 4, 8);  // body and colour together
  for (double w : {0.0, 0.3, 0.8, 1.0}) {
    CHECK(similarity_int8(face_led(w), kParts, a.data(), b.data()) ==
          Approx(w * face + (1 - w) * rest).epsilon(1e-12));
  }
}

TEST_CASE("face_led: face_offset shifts only the face-led branch and stays in [-1, 1]") {
  const std::vector<int8_t> a = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
  const std::vector<int8_t> b = {2, 7, -1, 8, 2, 8, -1, 8, 2, 8};
  SimilarityRule shifted = face_led(0.8);
  shifted.face_offset = 0.06;
  const double plain = similarity_int8(face_led(0.8), kParts, a.data(), b.data());
  CHECK(similarity_int8(shifted, kParts, a.data(), b.data()) == Approx(plain + 0.06).epsilon(1e-12));
  // The same clip twice scores 1, not 1.06.
  CHECK(similarity_int8(shifted, kParts, a.data(), a.data()) == Approx(1.0));
  // No face on one side: the appearance branch, untouched by the offset.
  std::vector<int8_t> no_face = b;
  for (size_t i = 4; i < 8; ++i) no_face[i] = 0;
  CHECK(similarity_int8(shifted, kParts, a.data(), no_face.data()) ==
        similarity_int8(face_led(0.8), kParts, a.data(), no_face.data()));
  // A negative offset cannot push an opposite pair below -1.
  std::vector<int8_t> opposite(a.size());
  for (size_t i = 0; i < a.size(); ++i) opposite[i] = static_cast<int8_t>(-a[i]);
  shifted.face_offset = -0.5;
  CHECK(similarity_int8(shifted, kParts, a.data(), opposite.data()) == Approx(-1.0));
  shifted.face_offset = 1.5;
  CHECK(similarity_rule_problem(shifted, kParts, 10).has_value());
  shifted.face_offset = std::nan("");
  CHECK(similarity_rule_problem(shifted, kParts, 10).has_value());
}

TEST_CASE("face_led: a face in only one clip (or none) leaves appearance to decide") {
  // The same body and colour; one clip shows a face, the other none.
  const std::vector<int8_t> with_face = {10, 20, 30, 40, 45, -50, 35, 20, 50, 60};
  const std::vector<int8_t> no_face = {10, 20, 30, 40, 0, 0, 0, 0, 50, 60};
  const SimilarityRule rule = face_led(0.8);
  CHECK(similarity_int8(rule, kParts, with_face.data(), no_face.data()) == Approx(1.0));
  CHECK(similarity_int8(rule, kParts, no_face.data(), with_face.data()) == Approx(1.0));
  CHECK(similarity_int8(rule, kParts, no_face.data(), no_face.data()) == Approx(1.0));
  // Plain cosine is dragged down by the one-sided face; face_led is not.
  CHECK(similarity_int8({}, kParts, with_face.data(), no_face.data()) < 0.9);
}

TEST_CASE("face_led: the face dominates look-alike appearance") {
  // Same clothes and colours, different faces: a look-alike.
  const std::vector<int8_t> a = {10, 20, 30, 40, 9, -3, 4, 7, 50, 60};
  const std::vector<int8_t> lookalike = {10, 20, 30, 40, -4, 8, -9, 2, 50, 60};
  // Same face, other clothes: the same person in another video.
  const std::vector<int8_t> same_person = {-30, 5, 12, -8, 9, -3, 4, 7, -20, 40};
  const SimilarityRule rule = face_led(0.8);
  const double impostor = similarity_int8(rule, kParts, a.data(), lookalike.data());
  const double genuine = similarity_int8(rule, kParts, a.data(), same_person.data());
  CHECK(genuine > impostor);
  // Under plain cosine the look-alike wins: the reason for the rule.
  CHECK(similarity_int8({}, kParts, a.data(), lookalike.data()) >
        similarity_int8({}, kParts, a.data(), same_person.data()));
}

TEST_CASE("fused_similarity with a precomputed face index equals the by-name form") {
  const std::vector<float> a = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, 0.6f, -0.7f, 0.8f, 0.9f, 1.0f};
  const std::vector<float> b = {0.3f, -0.2f, 0.1f, 0.4f, 0.2f, 0.6f, 0.7f, -0.8f, 0.1f, 0.5f};
  const SimilarityRule rule = face_led(0.6);
  const PartDots dots = part_dots_float(a.data(), b.data(), kParts);
  CHECK(face_part_index(rule, kParts) == 1);
  CHECK(fused_similarity(rule, 1, dots) == fused_similarity(rule, kParts, dots));
  CHECK(similarity_float(rule, kParts, a.data(), b.data()) == fused_similarity(rule, 1, dots));
  CHECK(face_part_index({}, kParts) == -1);
}

TEST_CASE("rules that cannot score a layout are named") {
  CHECK_FALSE(similarity_rule_problem({}, kParts, 10).has_value());
  CHECK_FALSE(similarity_rule_problem(face_led(0.8), kParts, 10).has_value());
  CHECK(similarity_rule_problem(face_led(0.8), kParts, 9).has_value());  // colour sticks out
  CHECK(similarity_rule_problem(face_led(1.5), kParts, 10).has_value());
  CHECK(similarity_rule_problem(face_led(-0.1), kParts, 10).has_value());
  CHECK(similarity_rule_problem(face_led(std::nan("")), kParts, 10).has_value());
  CHECK(similarity_rule_problem({SimilarityKind::face_led, "eyes", 0.5}, kParts, 10).has_value());
  const std::vector<Part> only_face = {{"face", 0, 4}};
  CHECK(similarity_rule_problem(face_led(0.5), only_face, 4).has_value());
  const std::vector<Part> overlapping = {{"a", 0, 4}, {"face", 3, 4}};
  CHECK(similarity_rule_problem(face_led(0.5), overlapping, 10).has_value());
  const std::vector<Part> twice = {{"face", 0, 4}, {"face", 4, 4}};
  CHECK(similarity_rule_problem({}, twice, 10).has_value());
  const std::vector<Part> huge = {{"face", 0, 4}, {"x", SIZE_MAX, 2}};
  CHECK(similarity_rule_problem({}, huge, 10).has_value());
}
