#include "identity/tensor_prep.h"

#include <algorithm>
#include <cmath>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace charid::identity {
namespace {

// The reference landmarks of Open Model Zoo's face recognition demo, as fractions of a 96x112
// crop: eyes, nose tip, mouth corners, in image left-to-right order like YuNet's output.
constexpr std::array<float, 10> kFaceReference = {
    30.2946f / 96, 51.6963f / 112, 65.5318f / 96, 51.5014f / 112, 48.0252f / 96,
    71.7366f / 112, 33.5493f / 96, 92.3655f / 112, 62.7299f / 96, 92.2041f / 112};

}  // namespace

void sample_to_tensor(const RgbImage& image, const Affine& m, const TensorSpec& spec, float pad,
                      float* out) {
  const int W = image.width, H = image.height;
  const size_t plane = size_t(spec.width) * spec.height;
  // value = pixel * k[c] + o[c], per tensor channel, in the tensor's channel order
  float k[4] = {0, 0, 0, 0}, o[4] = {0, 0, 0, 0};
  for (int c = 0; c < 3; ++c) {
    k[c] = spec.scale / spec.std[c];
    o[c] = -spec.mean[c] / spec.std[c];
  }
  const int src_channel[3] = {spec.bgr ? 2 : 0, 1, spec.bgr ? 0 : 2};
  // An empty image has no pixel to clamp to (clamping to [0, W - 1] would be undefined): every
  // sample is then the fill, `pad` or black.
  const bool empty = W <= 0 || H <= 0;
  const float fill = pad >= 0 ? pad : 0.0f;
#if defined(__wasm_simd128__)
  const v128_t kv = wasm_v128_load(k), ov = wasm_v128_load(o);
  const v128_t padv = wasm_f32x4_splat(fill);
#endif
  for (int v = 0; v < spec.height; ++v) {
    for (int u = 0; u < spec.width; ++u) {
      // pixel centres: output (u + 0.5, v + 0.5) -> source
      const float x = m.a * (u + 0.5f) + m.b * (v + 0.5f) + m.tx - 0.5f;
      const float y = m.c * (u + 0.5f) + m.d * (v + 0.5f) + m.ty - 0.5f;
      const size_t idx = size_t(v) * spec.width + u;
      const bool outside = x < -0.5f || y < -0.5f || x > W - 0.5f || y > H - 0.5f;
      // a NaN or infinite coordinate (a hostile or overflowing box) has no pixel to read
      const bool lost = !std::isfinite(x) || !std::isfinite(y);
      float px[4];
      if (empty || lost || (outside && pad >= 0)) {
#if defined(__wasm_simd128__)
        wasm_v128_store(px, wasm_f32x4_add(wasm_f32x4_mul(padv, kv), ov));
#else
        for (int c = 0; c < 3; ++c) px[c] = fill * k[c] + o[c];
#endif
      } else {
        const float xc = std::clamp(x, 0.0f, float(W - 1)), yc = std::clamp(y, 0.0f, float(H - 1));
        const int x0 = int(xc), y0 = int(yc);
        const int x1 = std::min(x0 + 1, W - 1), y1 = std::min(y0 + 1, H - 1);
        const float fx = xc - x0, fy = yc - y0;
        const uint8_t* p00 = image.row(y0) + x0 * 3;
        const uint8_t* p01 = image.row(y0) + x1 * 3;
        const uint8_t* p10 = image.row(y1) + x0 * 3;
        const uint8_t* p11 = image.row(y1) + x1 * 3;
#if defined(__wasm_simd128__)
        auto load = [&](const uint8_t* p) {
          return wasm_f32x4_make(p[src_channel[0]], p[src_channel[1]], p[src_channel[2]], 0.0f);
        };
        const v128_t top = wasm_f32x4_add(wasm_f32x4_mul(load(p00), wasm_f32x4_splat(1 - fx)),
                                          wasm_f32x4_mul(load(p01), wasm_f32x4_splat(fx)));
        const v128_t bot = wasm_f32x4_add(wasm_f32x4_mul(load(p10), wasm_f32x4_splat(1 - fx)),
                                          wasm_f32x4_mul(load(p11), wasm_f32x4_splat(fx)));
        const v128_t val = wasm_f32x4_add(wasm_f32x4_mul(top, wasm_f32x4_splat(1 - fy)),
                                          wasm_f32x4_mul(bot, wasm_f32x4_splat(fy)));
        wasm_v128_store(px, wasm_f32x4_add(wasm_f32x4_mul(val, kv), ov));
#else
        for (int c = 0; c < 3; ++c) {
          const int s = src_channel[c];
          const float top = p00[s] * (1 - fx) + p01[s] * fx;
          const float bot = p10[s] * (1 - fx) + p11[s] * fx;
          px[c] = (top * (1 - fy) + bot * fy) * k[c] + o[c];
        }
#endif
      }
      if (spec.nchw) {
        out[idx] = px[0], out[plane + idx] = px[1], out[2 * plane + idx] = px[2];
      } else {
        float* dst = out + idx * 3;
        dst[0] = px[0], dst[1] = px[1], dst[2] = px[2];
      }
    }
  }
}

Letterbox letterbox_to_tensor(const RgbImage& image, const TensorSpec& spec, float pad,
                              float* out) {
  const Letterbox fit = fit_top_left(image.width, image.height, spec.width, spec.height);
  Affine m;
  m.a = m.d = 1.0f / fit.scale;
  sample_to_tensor(image, m, spec, pad, out);
  return fit;
}

void crop_to_tensor(const RgbImage& image, const Box& box, const TensorSpec& spec, float* out) {
  Affine m;
  m.a = box.w / spec.width;
  m.d = box.h / spec.height;
  m.tx = box.x;
  m.ty = box.y;
  sample_to_tensor(image, m, spec, -1.0f, out);
}

Affine similarity_inverse(const std::array<float, 10>& from, const std::array<float, 10>& to) {
  // Fit to = s R from + t; return from = (1/s) R^T (to - t).
  double mfx = 0, mfy = 0, mtx = 0, mty = 0;
  for (int i = 0; i < 5; ++i) {
    mfx += from[2 * i], mfy += from[2 * i + 1], mtx += to[2 * i], mty += to[2 * i + 1];
  }
  mfx /= 5, mfy /= 5, mtx /= 5, mty /= 5;
  double sxx = 0, sxy = 0, var = 0;  // sxx = sum (f . t), sxy = sum (f x t)
  for (int i = 0; i < 5; ++i) {
    const double fx = from[2 * i] - mfx, fy = from[2 * i + 1] - mfy;
    const double tx = to[2 * i] - mtx, ty = to[2 * i + 1] - mty;
    sxx += fx * tx + fy * ty;
    sxy += fx * ty - fy * tx;
    var += fx * fx + fy * fy;
  }
  const double norm = std::hypot(sxx, sxy);
  const double s = var > 0 ? norm / var : 1.0;
  const double cos_r = norm > 0 ? sxx / norm : 1.0, sin_r = norm > 0 ? sxy / norm : 0.0;
  // forward: t = s [cos -sin; sin cos] f + (mt - s R mf); inverse rows below
  const double inv = 1.0 / s;
  Affine m;
  m.a = float(inv * cos_r), m.b = float(inv * sin_r);
  m.c = float(-inv * sin_r), m.d = float(inv * cos_r);
  m.tx = float(mfx - (m.a * mtx + m.b * mty));
  m.ty = float(mfy - (m.c * mtx + m.d * mty));
  return m;
}

void aligned_face_to_tensor(const RgbImage& image, const std::array<float, 10>& landmarks,
                            const TensorSpec& spec, float* out) {
  std::array<float, 10> target{};
  for (int i = 0; i < 5; ++i) {
    target[2 * i] = kFaceReference[2 * i] * spec.width;
    target[2 * i + 1] = kFaceReference[2 * i + 1] * spec.height;
  }
  sample_to_tensor(image, similarity_inverse(landmarks, target), spec, -1.0f, out);
}

}  // namespace charid::identity
