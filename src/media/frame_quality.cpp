#include "media/frame_quality.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace charid {
namespace {

// BT.601 luma in integer arithmetic; the exact weights matter less than
// being the same everywhere (native and wasm give identical numbers).
inline int luma(const uint8_t* px) { return (77 * px[0] + 150 * px[1] + 29 * px[2]) >> 8; }

}  // namespace

FrameQuality measure_frame_quality(const RgbImage& image) {
  FrameQuality q;
  if (image.empty()) return q;
  const int w = image.width, h = image.height;
  std::vector<uint8_t> y(static_cast<size_t>(w) * h);
  std::array<uint32_t, 3 * kHistogramBins> counts{};
  uint64_t sum = 0, dark = 0, bright = 0;
  for (int row = 0; row < h; ++row) {
    const uint8_t* px = image.row(row);
    uint8_t* out = y.data() + static_cast<size_t>(row) * w;
    for (int x = 0; x < w; ++x, px += 3) {
      int l = luma(px);
      out[x] = static_cast<uint8_t>(l);
      sum += l;
      dark += l <= 8;
      bright += l >= 247;
      counts[px[0] * kHistogramBins / 256]++;
      counts[kHistogramBins + px[1] * kHistogramBins / 256]++;
      counts[2 * kHistogramBins + px[2] * kHistogramBins / 256]++;
    }
  }
  const double n = static_cast<double>(w) * h;
  q.mean_luma = sum / n;
  q.clipped_dark = dark / n;
  q.clipped_bright = bright / n;
  for (size_t i = 0; i < counts.size(); ++i) q.histogram[i] = static_cast<float>(counts[i] / n);

  // Variance of the Laplacian over the interior: low means few edges (blur).
  if (w >= 3 && h >= 3) {
    double lap_sum = 0.0, lap_sq = 0.0;
    for (int row = 1; row < h - 1; ++row) {
      const uint8_t* c = y.data() + static_cast<size_t>(row) * w;
      const uint8_t* up = c - w;
      const uint8_t* down = c + w;
      for (int x = 1; x < w - 1; ++x) {
        int lap = up[x] + down[x] + c[x - 1] + c[x + 1] - 4 * c[x];
        lap_sum += lap;
        lap_sq += static_cast<double>(lap) * lap;
      }
    }
    const double m = static_cast<double>(w - 2) * (h - 2);
    const double mean = lap_sum / m;
    q.sharpness = lap_sq / m - mean * mean;
  }
  return q;
}

double histogram_distance(const FrameQuality& a, const FrameQuality& b) {
  double l1 = 0.0;
  for (size_t i = 0; i < a.histogram.size(); ++i) l1 += std::fabs(a.histogram[i] - b.histogram[i]);
  return l1 / 6.0;  // 3 channels, each with L1 in 0..2
}

QualitySummary summarize_quality(const std::vector<const FrameQuality*>& frames,
                                 const QualityThresholds& thresholds) {
  QualitySummary s;
  if (frames.empty()) return s;
  std::vector<double> sharp;
  for (const FrameQuality* f : frames) {
    sharp.push_back(f->sharpness);
    s.mean_luma += f->mean_luma;
    s.clipped_dark += f->clipped_dark;
    s.clipped_bright += f->clipped_bright;
  }
  const double n = static_cast<double>(frames.size());
  s.mean_luma /= n;
  s.clipped_dark /= n;
  s.clipped_bright /= n;
  std::nth_element(sharp.begin(), sharp.begin() + sharp.size() / 2, sharp.end());
  s.sharpness = sharp[sharp.size() / 2];
  for (size_t i = 1; i < frames.size(); ++i) {
    double d = histogram_distance(*frames[i - 1], *frames[i]);
    s.cut_distances.push_back(d);
    if (d >= thresholds.scene_cut_distance) s.scene_cuts.push_back(static_cast<int>(i));
  }
  return s;
}

std::vector<std::string> quality_warnings(const QualitySummary& summary, double window_seconds,
                                          int decode_errors, const QualityThresholds& t) {
  std::vector<std::string> warnings;
  if (!summary.scene_cuts.empty()) warnings.emplace_back("scene_cut");
  if (summary.sharpness < t.blurry_sharpness) warnings.emplace_back("blurry");
  if (summary.mean_luma < t.dark_luma || summary.clipped_dark > t.clipped_share)
    warnings.emplace_back("too_dark");
  if (summary.mean_luma > t.bright_luma || summary.clipped_bright > t.clipped_share)
    warnings.emplace_back("too_bright");
  if (window_seconds < t.short_clip_seconds) warnings.emplace_back("short_clip");
  if (decode_errors > 0) warnings.emplace_back("decode_errors");
  return warnings;
}

}  // namespace charid
