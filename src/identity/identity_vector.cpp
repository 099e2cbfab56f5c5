#include "identity/identity_vector.h"

#include <algorithm>
#include <cmath>

namespace charid::identity {

void l2_normalize(std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += double(x) * x;
  if (n <= 0) return;
  const float inv = float(1.0 / std::sqrt(n));
  for (float& x : v) x *= inv;
}

int VectorLayout::dims() const {
  int n = 0;
  for (const auto& p : parts) n += p.dims;
  return n;
}

VectorLayout v1_layout() {
  VectorLayout l;
  for (const PartLayout* p : {&kOsnetPart, &kMobilenetPart, &kFacePart, &kColourPart}) {
    l.parts.push_back({p->name, p->dims, p->weight});
  }
  l.face_part = kFacePart.name;
  return l;
}

Result<std::vector<float>> fuse_parts(const VectorLayout& layout,
                                      const std::vector<std::vector<float>>& parts) {
  if (parts.size() != layout.parts.size()) {
    return make_error(ErrorCode::invalid_argument,
                      "the layout has " + std::to_string(layout.parts.size()) + " parts, " +
                          std::to_string(parts.size()) + " were given");
  }
  std::vector<float> fused(size_t(layout.dims()), 0.0f);
  int offset = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    const PartWeight& spec = layout.parts[p];
    const std::vector<float>& values = parts[p];
    const bool optional_face = values.empty() && spec.name == layout.face_part;
    if (!optional_face && int(values.size()) != spec.dims) {
      return make_error(ErrorCode::invalid_argument,
                        "identity part " + spec.name + " has " + std::to_string(values.size()) +
                            " values, expected " + std::to_string(spec.dims));
    }
    if (!optional_face) {
      std::vector<float> part = values;
      l2_normalize(part);
      for (int i = 0; i < spec.dims; ++i) fused[size_t(offset + i)] = part[size_t(i)] * spec.weight;
    }
    offset += spec.dims;
  }
  l2_normalize(fused);
  return fused;
}

Result<std::vector<float>> fuse_frame(const std::vector<float>& osnet,
                                      const std::vector<float>& mobilenet,
                                      const std::vector<float>& face,
                                      const std::vector<float>& colour) {
  static const VectorLayout layout = v1_layout();
  return fuse_parts(layout, {osnet, mobilenet, face, colour});
}

static double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

static double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Result<Aggregate> aggregate_frames(const std::vector<std::vector<float>>& frames,
                                   const std::vector<float>& weights) {
  if (frames.empty()) return make_error(ErrorCode::invalid_argument, "no frame vectors to aggregate");
  if (weights.size() != frames.size()) {
    return make_error(ErrorCode::invalid_argument, "one weight per frame vector is needed");
  }
  const size_t dims = frames[0].size();
  for (const auto& f : frames) {
    if (f.size() != dims) return make_error(ErrorCode::invalid_argument, "frame vectors differ in size");
  }
  std::vector<float> median(dims);
  std::vector<double> column(frames.size());
  for (size_t d = 0; d < dims; ++d) {
    for (size_t i = 0; i < frames.size(); ++i) column[i] = frames[i][d];
    median[d] = float(median_of(column));
  }
  l2_normalize(median);
  std::vector<double> sims(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    std::vector<float> f = frames[i];
    l2_normalize(f);
    sims[i] = dot(f, median);
  }
  const double mid = median_of(sims);
  std::vector<double> dev(sims.size());
  for (size_t i = 0; i < sims.size(); ++i) dev[i] = std::abs(sims[i] - mid);
  const double cut = mid - std::max(0.05, 3.0 * median_of(dev));

  Aggregate out;
  out.vector.assign(dims, 0.0f);
  for (size_t i = 0; i < frames.size(); ++i) {
    if (sims[i] < cut || weights[i] <= 0) continue;
    out.kept.push_back(int(i));
    for (size_t d = 0; d < dims; ++d) out.vector[d] += weights[i] * frames[i][d];
  }
  if (out.kept.empty()) return make_error(ErrorCode::invalid_argument, "every frame had zero weight");
  l2_normalize(out.vector);
  return out;
}

static bool block_present(const std::vector<float>& v, int offset, int dims) {
  for (int i = 0; i < dims; ++i) {
    if (v[size_t(offset + i)] != 0.0f) return true;
  }
  return false;
}

Result<Aggregate> aggregate_parts(const VectorLayout& layout,
                                  const std::vector<std::vector<float>>& frames,
                                  const std::vector<float>& weights) {
  const int dims = layout.dims();
  for (const auto& f : frames) {
    if (f.size() != size_t(dims)) {
      return make_error(ErrorCode::invalid_argument, "frame vectors must have the identity layout");
    }
  }
  auto r = aggregate_frames(frames, weights);
  if (!r) return r;
  Aggregate out = std::move(r).value();
  int offset = 0;
  for (const PartWeight& part : layout.parts) {
    std::vector<float> block(out.vector.begin() + offset, out.vector.begin() + offset + part.dims);
    if (part.name == layout.face_part) {
      int with_face = 0;
      for (int i : out.kept) with_face += block_present(frames[size_t(i)], offset, part.dims);
      if (2 * with_face < int(out.kept.size())) std::fill(block.begin(), block.end(), 0.0f);
    }
    l2_normalize(block);
    for (int i = 0; i < part.dims; ++i) out.vector[size_t(offset + i)] = block[size_t(i)] * part.weight;
    offset += part.dims;
  }
  l2_normalize(out.vector);
  return out;
}

Result<ClipVector> fuse_clip(const VectorLayout& layout,
                             const std::vector<std::vector<std::vector<float>>>& parts,
                             const std::vector<float>& weights) {
  if (parts.size() != layout.parts.size()) {
    return make_error(ErrorCode::invalid_argument,
                      "the layout has " + std::to_string(layout.parts.size()) + " parts, " +
                          std::to_string(parts.size()) + " were given");
  }
  const size_t frames = weights.size();
  for (size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].size() != frames) {
      return make_error(ErrorCode::invalid_argument,
                        "identity part " + layout.parts[p].name + " has values for " +
                            std::to_string(parts[p].size()) + " frames, expected " +
                            std::to_string(frames) + " (one weight per frame)");
    }
  }
  ClipVector out;
  std::vector<std::vector<float>> frame_parts(parts.size());
  for (size_t i = 0; i < frames; ++i) {
    for (size_t p = 0; p < parts.size(); ++p) frame_parts[p] = parts[p][i];
    auto fused = fuse_parts(layout, frame_parts);
    if (!fused) return fused.error();
    out.frame_vectors.push_back(std::move(fused).value());
  }
  auto agg = aggregate_parts(layout, out.frame_vectors, weights);
  if (!agg) return agg.error();
  out.aggregate = std::move(agg).value();
  return out;
}

Result<Aggregate> aggregate_identity(const std::vector<std::vector<float>>& frames,
                                     const std::vector<float>& weights) {
  static const VectorLayout layout = v1_layout();
  return aggregate_parts(layout, frames, weights);
}

QuantizedVector quantize_int8(const std::vector<float>& v) {
  QuantizedVector q;
  float mx = 0;
  for (float x : v) mx = std::max(mx, std::abs(x));
  q.scale = mx > 0 ? mx / 127.0f : 1.0f;
  q.values.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    q.values[i] = int8_t(std::clamp(std::lround(v[i] / q.scale), -127L, 127L));
  }
  return q;
}

std::vector<float> dequantize(const QuantizedVector& q) {
  std::vector<float> v(q.values.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = q.values[i] * q.scale;
  return v;
}

static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    const uint32_t n = (uint32_t(data[i]) << 16) | (i + 1 < size ? uint32_t(data[i + 1]) << 8 : 0) |
                       (i + 2 < size ? data[i + 2] : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[n & 63] : '=';
  }
  return out;
}

Result<std::vector<uint8_t>> base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) {
    return make_error(ErrorCode::invalid_argument, "base64 text length is not a multiple of 4");
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int v;
      if (c == '=' && i + 4 == text.size() && j >= 2) v = 0, ++pad;
      else if (c >= 'A' && c <= 'Z') v = c - 'A';
      else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
      else if (c >= '0' && c <= '9') v = c - '0' + 52;
      else if (c == '+') v = 62;
      else if (c == '/') v = 63;
      else return make_error(ErrorCode::invalid_argument, "invalid base64 character");
      if (pad && c != '=') return make_error(ErrorCode::invalid_argument, "invalid base64 padding");
      n = (n << 6) | uint32_t(v);
    }
    out.push_back(uint8_t(n >> 16));
    if (pad < 2) out.push_back(uint8_t(n >> 8));
    if (pad < 1) out.push_back(uint8_t(n));
  }
  return out;
}

Result<QuantizedVector> decode_vector(const std::string& base64, int dims, float scale) {
  auto bytes = base64_decode(base64);
  if (!bytes) return bytes.error();
  if (int(bytes.value().size()) != dims) {
    return make_error(ErrorCode::invalid_argument,
                      "vector holds " + std::to_string(bytes.value().size()) + " values, dims says " +
                          std::to_string(dims));
  }
  if (!(scale > 0) || !std::isfinite(scale)) {
    return make_error(ErrorCode::invalid_argument, "scale must be a positive number");
  }
  QuantizedVector q;
  q.scale = scale;
  q.values.assign(bytes.value().begin(), bytes.value().end());
  return q;
}

Result<double> cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) {
    return make_error(ErrorCode::invalid_argument, "vectors of different sizes cannot be compared");
  }
  const double na = dot(a, a), nb = dot(b, b);
  if (na <= 0 || nb <= 0) return 0.0;
  return dot(a, b) / std::sqrt(na * nb);
}

}  // namespace charid::identity
