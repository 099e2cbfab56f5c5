// sample_frames: K frames spread evenly (by timestamp) over the window, decoded
// with as little work as possible, plus their quality numbers and warnings.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/result.h"
#include "media/byte_source.h"
#include "media/media_input.h"
#include "media/media_types.h"

namespace charid {

// Called after each kept sample with (samples so far, samples wanted).
using SampleProgress = std::function<void(int done, int total)>;

// The checks and choices sample_frames makes before decoding, shared with the
// decode plan (the browser's WebCodecs path) so both paths apply one policy:
// the input opened with the count and frame-size ranges checked, and the window
// with the product's limits and the memory bound of the frames; whether leaving
// non-reference frames out pays.
struct SamplingInput {
  std::unique_ptr<MediaInput> input;
  Window window;
};
Result<SamplingInput> open_for_sampling(ByteSource& source, const SampleOptions& options);
bool worth_skipping_nonref(const SourceInfo& info, const Window& window,
                           const SampleOptions& options);
// Positions the demuxer at the keyframe at or before the window start.
void seek_to_window(MediaInput& input, const Window& window);
// With the duration unknown, the video itself says how long it is: the window
// ends where the frames seen (first_time..last_time) end, or too_short.
Result<Window> window_seen(const SourceInfo& info, const Window& window, double first_time,
                           double last_time);

// The target times of K samples over a window: the middle of each of K equal parts.
std::vector<double> sample_targets(const Window& window, int count);

// The one frame-picking rule, whichever decoder ran: for each target time,
// the decoded frame nearest to it (the earlier one on a tie), frames offered
// in presentation order, so variable frame rates need no special case.
class NearestFrameRule {
 public:
  explicit NearestFrameRule(std::vector<double> targets) : targets_(std::move(targets)) {}

  bool done() const { return next_ >= static_cast<int>(targets_.size()); }
  int wanted() const { return static_cast<int>(targets_.size()); }

  // Offers the next frame's time; calls settle(previous, target) for each
  // target it settles: previous == true means the frame offered before this
  // one is the nearer. The caller keeps that previous frame.
  template <typename Settle>
  void offer(double time, Settle&& settle) {
    while (!done() && time >= targets_[next_]) {
      const double t = targets_[next_];
      const bool previous = has_prev_ && std::abs(prev_time_ - t) <= std::abs(time - t);
      settle(previous, next_);
      ++next_;
    }
    has_prev_ = true;
    prev_time_ = time;
  }

  // At the end of the stream the last frame is the nearest to what is left;
  // calls settle(target) for each.
  template <typename Settle>
  void finish(Settle&& settle) {
    while (!done() && has_prev_) settle(next_++);
  }

 private:
  std::vector<double> targets_;
  int next_ = 0;
  bool has_prev_ = false;
  double prev_time_ = 0.0;
};

// The rule applied to a list of frame times in presentation order: which
// frame (index into `times`) each kept sample is, repeats dropped (a frame
// nearest to two targets is kept once, for the first).
struct FramePick {
  int frame = 0;
  int target = 0;
};
std::vector<FramePick> pick_nearest_frames(const std::vector<double>& times,
                                           const std::vector<double>& targets);

Result<SampleResult> sample_frames(ByteSource& source, const SampleOptions& options = {},
                                   const SampleProgress& progress = {});

}  // namespace charid
