#include "core/part_similarity.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace charid {
namespace {

double cosine(double dot, double norm_a, double norm_b) {
  if (norm_a <= 0 || norm_b <= 0) return 0.0;
  return std::clamp(dot / std::sqrt(norm_a * norm_b), -1.0, 1.0);
}

// Cosine over every part except `skip` (-1: skip none), as one vector.
double cosine_except(ArrayView<PartDot> dots, int skip) {
  double dot = 0, norm_a = 0, norm_b = 0;
  for (size_t i = 0; i < dots.size; ++i) {
    if (static_cast<int>(i) == skip) continue;
    dot += dots[i].dot;
    norm_a += dots[i].norm_a;
    norm_b += dots[i].norm_b;
  }
  return cosine(dot, norm_a, norm_b);
}

template <typename T>
PartDots part_dots(const T* a, const T* b, ArrayView<Part> parts) {
  PartDots out(parts.size);
  for (size_t p = 0; p < parts.size; ++p) {
    PartDot d;
    const size_t end = parts[p].offset + parts[p].dims;
    for (size_t i = parts[p].offset; i < end; ++i) {
      const double x = static_cast<double>(a[i]);
      const double y = static_cast<double>(b[i]);
      d.dot += x * y;
      d.norm_a += x * x;
      d.norm_b += y * y;
    }
    out[p] = d;
  }
  return out;
}

}  // namespace

std::optional<std::string> similarity_rule_problem(const SimilarityRule& rule,
                                                   ArrayView<Part> parts, size_t total_dims) {
  std::set<std::string> names;
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const Part& p : parts) {
    if (p.name.empty()) return std::string("every part needs a name");
    if (!names.insert(p.name).second) return "part \"" + p.name + "\" is listed twice";
    if (p.dims == 0 || p.offset > total_dims || p.dims > total_dims - p.offset) {
      return "part \"" + p.name + "\" does not lie inside the " + std::to_string(total_dims) +
             " values of the vector";
    }
    ranges.emplace_back(p.offset, p.offset + p.dims);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) return std::string("parts overlap");
  }
  if (rule.kind == SimilarityKind::cosine) return std::nullopt;
  if (face_part_index(rule, parts) < 0) {
    return "face_led needs a face_part that is one of the parts (\"" + rule.face_part +
           "\" is not)";
  }
  if (parts.size < 2) return std::string("face_led needs at least one part besides the face");
  if (!(rule.face_weight >= 0.0 && rule.face_weight <= 1.0)) {
    return std::string("face_weight must be a number from 0 to 1");
  }
  if (!(rule.face_offset >= -1.0 && rule.face_offset <= 1.0)) {
    return std::string("face_offset must be a number from -1 to 1");
  }
  return std::nullopt;
}

int face_part_index(const SimilarityRule& rule, ArrayView<Part> parts) {
  if (rule.kind != SimilarityKind::face_led) return -1;
  for (size_t i = 0; i < parts.size; ++i) {
    if (parts[i].name == rule.face_part) return static_cast<int>(i);
  }
  return -1;
}

double fused_similarity(const SimilarityRule& rule, int face_index, ArrayView<PartDot> dots) {
  if (rule.kind == SimilarityKind::cosine || face_index < 0 ||
      static_cast<size_t>(face_index) >= dots.size) {
    return cosine_except(dots, -1);
  }
  const double appearance = cosine_except(dots, face_index);
  const PartDot& face = dots[static_cast<size_t>(face_index)];
  const bool both_have_face = face.norm_a > 0 && face.norm_b > 0;
  if (!both_have_face) return appearance;
  const double w = rule.face_weight;
  const double face_led = w * cosine(face.dot, face.norm_a, face.norm_b) + (1.0 - w) * appearance;
  return std::clamp(face_led + rule.face_offset, -1.0, 1.0);
}

double fused_similarity(const SimilarityRule& rule, ArrayView<Part> parts,
                        ArrayView<PartDot> dots) {
  return fused_similarity(rule, face_part_index(rule, parts), dots);
}

PartDots part_dots_int8(const int8_t* a, const int8_t* b, ArrayView<Part> parts) {
  return part_dots(a, b, parts);
}

PartDots part_dots_float(const float* a, const float* b, ArrayView<Part> parts) {
  return part_dots(a, b, parts);
}

double similarity_int8(const SimilarityRule& rule, ArrayView<Part> parts, const int8_t* a,
                       const int8_t* b) {
  return fused_similarity(rule, parts, part_dots_int8(a, b, parts));
}

double similarity_float(const SimilarityRule& rule, ArrayView<Part> parts, const float* a,
                        const float* b) {
  return fused_similarity(rule, parts, part_dots_float(a, b, parts));
}

}  // namespace charid
