// What the media core reports and accepts: plain values, no FFmpeg types, so
// bindings (wasm, CLI) and tests can use them without FFmpeg headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/frame_quality.h"
#include "core/image.h"

namespace charid {

// Limits shared by probe and sample (the product's rules for a reference clip).
inline constexpr int kMinShortSide = 720;            // "at least 720p"
inline constexpr double kMinDurationSeconds = 1.0;   // under this: too_short
inline constexpr double kMaxWindowSeconds = 4.0;     // auto-trim length
inline constexpr int64_t kMaxInputBytes = int64_t{4} << 30;  // 4 GiB
// The sampled frames are all held until sampling returns; their total is
// bounded up front, since running out of memory aborts the wasm module (1 GiB
// at most, shared with the decoder). 256 frames at the default size fit.
inline constexpr int64_t kMaxSampleBytes = int64_t{512} << 20;  // 512 MiB

struct SourceInfo {
  std::string container;   // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;       // FFmpeg codec name: h264, hevc, vp8, vp9, av1, mpeg4, gif
  int width = 0;           // coded size
  int height = 0;
  int display_width = 0;   // after sample aspect ratio and rotation
  int display_height = 0;
  int rotation = 0;        // clockwise degrees to turn the picture upright: 0, 90, 180, 270
  std::optional<double> duration;  // seconds of video; unknown for some streams
  std::optional<double> fps;       // average frame rate when known
  int64_t bytes = -1;
  bool has_audio = false;
  std::string pixel_format;  // e.g. yuv420p, yuv420p10le
  int bit_depth = 8;
};

struct Window {
  double start = 0.0;
  double end = 0.0;
  double length() const { return end - start; }
};

struct ProbeOptions {
  double start = 0.0;                      // requested window start (seconds)
  double duration = kMaxWindowSeconds;     // requested window length, capped at 4 s
  bool allow_low_res = false;              // turn the 720p minimum off
};

struct SampleOptions : ProbeOptions {
  int count = 16;            // K frames spread evenly over the window
  int max_short_side = 512;  // frames are scaled down so the short side is at most this
  bool skip_nonref = true;   // let the decoder skip non-reference frames when samples are sparse
};

struct ProbeResult {
  SourceInfo source;
  Window window;
  std::vector<std::string> warnings;
};

struct SampledFrame {
  int index = 0;           // position among the samples, 0..K-1
  double timestamp = 0.0;  // seconds from the start of the video
  RgbImage image;          // upright, square pixels
  FrameQuality quality;
};

struct SampleResult {
  SourceInfo source;
  Window window;
  std::vector<SampledFrame> frames;
  QualitySummary quality;
  std::vector<std::string> warnings;
  int decode_errors = 0;
  int frames_decoded = 0;
};

}  // namespace charid
