// How two identity vectors are scored: the one home of the rule, shared by the
// registry's index (native) and the wasm module (compare, drift, cast check).
//
// A vector is made of named parts (ranges of its values). A model's rule is
//   cosine   - the cosine of the whole vector (the sum over parts), or
//   face_led - when both vectors show a face (the face part's norm is not 0):
//                W * cos(face) + (1 - W) * cos(all other parts together);
//              otherwise cos(all other parts together), so a face seen in only
//              one clip never drags the score down and appearance decides.
//              The face-led branch then adds face_offset (clamped to [-1, 1]): the two
//              branches have different score scales (different pairs of real faces
//              score lower than different pairs scored on appearance), and the offset,
//              fitted by bench/identity_calibration.mjs, puts them on one scale so one
//              threshold serves both.
// Scoring works from per-part sums (dot, both squared norms), so a caller may
// compute them with any kernel (the registry uses its int8 SIMD dot products
// over each part's range) and still get exactly this rule.
//
// Plain C++17: no registry, Emscripten or JSON headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace charid {

// A read-only view of contiguous elements (C++17 has no std::span).
template <typename T>
struct ArrayView {
  const T* data = nullptr;
  size_t size = 0;

  ArrayView() = default;
  ArrayView(const T* d, size_t n) : data(d), size(n) {}
  ArrayView(const std::vector<T>& v) : data(v.data()), size(v.size()) {}  // NOLINT: implicit

  const T& operator[](size_t i) const { return data[i]; }
  const T* begin() const { return data; }
  const T* end() const { return data + size; }
};

struct Part {
  std::string name;
  size_t offset = 0;  // first value of the part in the vector
  size_t dims = 0;    // number of values
};

enum class SimilarityKind { cosine, face_led };

struct SimilarityRule {
  SimilarityKind kind = SimilarityKind::cosine;
  std::string face_part;     // face_led: the name of the face part
  double face_weight = 0.0;  // face_led: W in [0, 1]
  double face_offset = 0.0;  // face_led: added when both faces are there, in [-1, 1]
};

// Sums over one part's range of two vectors a and b.
struct PartDot {
  double dot = 0;     // sum a_i * b_i
  double norm_a = 0;  // sum a_i^2
  double norm_b = 0;  // sum b_i^2
};
using PartDots = std::vector<PartDot>;

// Why `rule` cannot score vectors of `total_dims` values laid out as `parts`,
// or nullopt when it can: parts inside the vector and not overlapping, names
// unique, and for face_led an existing face part, another part, W in [0, 1]
// and face_offset in [-1, 1].
std::optional<std::string> similarity_rule_problem(const SimilarityRule& rule,
                                                   ArrayView<Part> parts, size_t total_dims);

// Index of the part named rule.face_part, or -1 (also for the cosine rule).
int face_part_index(const SimilarityRule& rule, ArrayView<Part> parts);

// The score of two vectors from their per-part sums (dots[i] belongs to
// parts[i]), in [-1, 1]; 0 when a needed norm is 0. `face_index` is
// face_part_index(rule, parts), passed in so hot loops look it up once.
double fused_similarity(const SimilarityRule& rule, int face_index, ArrayView<PartDot> dots);
double fused_similarity(const SimilarityRule& rule, ArrayView<Part> parts,
                        ArrayView<PartDot> dots);

// Per-part sums of two vectors that both hold at least the parts' values.
PartDots part_dots_int8(const int8_t* a, const int8_t* b, ArrayView<Part> parts);
PartDots part_dots_float(const float* a, const float* b, ArrayView<Part> parts);

// Convenience: the score of two whole vectors under `rule`.
double similarity_int8(const SimilarityRule& rule, ArrayView<Part> parts, const int8_t* a,
                       const int8_t* b);
double similarity_float(const SimilarityRule& rule, ArrayView<Part> parts, const float* a,
                        const float* b);

}  // namespace charid
