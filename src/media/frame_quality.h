// Per-frame and per-clip quality numbers, and the warnings derived from them.
// Warning names are a public contract: scene_cut, blurry, too_dark,
// too_bright, short_clip, decode_errors.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/image.h"

namespace charid {

inline constexpr int kHistogramBins = 16;  // per RGB channel

struct FrameQuality {
  double sharpness = 0.0;       // variance of the 4-neighbour Laplacian of luma
  double mean_luma = 0.0;       // 0..255
  double clipped_dark = 0.0;    // share of pixels with luma <= 8
  double clipped_bright = 0.0;  // share of pixels with luma >= 247
  std::array<float, 3 * kHistogramBins> histogram{};  // normalised per channel
};

struct QualitySummary {
  double sharpness = 0.0;   // median over frames
  double mean_luma = 0.0;   // mean over frames
  double clipped_dark = 0.0;
  double clipped_bright = 0.0;
  std::vector<double> cut_distances;  // histogram distance between consecutive samples, 0..1
  std::vector<int> scene_cuts;        // index i: a cut between sample i-1 and sample i
};

// Thresholds, chosen on the fixture clips (see docs/MEDIA.md for the figures).
struct QualityThresholds {
  double blurry_sharpness = 40.0;
  double dark_luma = 40.0;
  double bright_luma = 220.0;
  double clipped_share = 0.35;
  double scene_cut_distance = 0.5;
  double short_clip_seconds = 2.0;
};

FrameQuality measure_frame_quality(const RgbImage& image);

// Half the L1 distance between two frames' histograms averaged over channels:
// 0 for identical colour distributions, 1 for disjoint ones.
double histogram_distance(const FrameQuality& a, const FrameQuality& b);

QualitySummary summarize_quality(const std::vector<const FrameQuality*>& frames,
                                 const QualityThresholds& thresholds = {});

// Warnings for a clip: from the summary plus the window length and decode errors.
std::vector<std::string> quality_warnings(const QualitySummary& summary, double window_seconds,
                                          int decode_errors,
                                          const QualityThresholds& thresholds = {});

}  // namespace charid
