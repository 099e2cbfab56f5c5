#include "media/frame_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "media/decoder_feed.h"
#include "media/frame_converter.h"
#include "media/media_input.h"

namespace charid {
namespace {

constexpr double kNoTime = -std::numeric_limits<double>::infinity();

// The rule over decoded frames: holds the one frame that may still be the
// nearest to the next target.
class NearestFramePicker {
 public:
  NearestFramePicker(const Window& window, int count) : rule_(sample_targets(window, count)) {}

  bool done() const { return rule_.done(); }
  int wanted() const { return rule_.wanted(); }

  // Offers a decoded frame; calls keep(frame, time, target_index) for each
  // target it settles (the previous frame or this one, whichever is nearer).
  template <typename Keep>
  void offer(const AVFrame* frame, double time, Keep&& keep) {
    rule_.offer(time, [&](bool previous, int target) {
      if (previous) {
        keep(prev_.get(), prev_time_, target);
      } else {
        keep(frame, time, target);
      }
    });
    if (!prev_) prev_ = av::make_frame();
    av_frame_unref(prev_.get());
    av_frame_ref(prev_.get(), frame);
    prev_time_ = time;
  }

  template <typename Keep>
  void finish(Keep&& keep) {
    rule_.finish([&](int target) { keep(prev_.get(), prev_time_, target); });
  }

 private:
  NearestFrameRule rule_;
  av::FramePtr prev_;
  double prev_time_ = kNoTime;
};

struct DecodeRun {
  std::vector<SampledFrame> frames;
  int decode_errors = 0;
  int frames_decoded = 0;
  double first_time = kNoTime;
  double last_time = kNoTime;
};

Result<DecodeRun> decode_window(MediaInput& input, const Window& window, const SampleOptions& opt,
                                bool skip_nonref, const SampleProgress& progress) {
  auto decoder_or = input.open_decoder(skip_nonref);
  if (!decoder_or) return decoder_or.error();
  AVCodecContext* decoder = decoder_or.value().get();
  AVFormatContext* fmt = input.format();
  AVStream* st = input.stream();

  seek_to_window(input, window);

  DecodeRun run;
  NearestFramePicker picker(window, opt.count);
  FrameConverter converter(input.info().rotation, st->sample_aspect_ratio, opt.max_short_side);
  const double frame_step = input.info().fps ? 1.0 / *input.info().fps : 0.04;
  double synthetic_time = 0.0;

  auto keep = [&](const AVFrame* frame, double time, int target) {
    if (!run.frames.empty() && run.frames.back().timestamp == time) return;  // already kept
    auto image = converter.convert(frame);
    if (!image) {
      ++run.decode_errors;
      return;
    }
    SampledFrame sample;
    sample.index = target;
    sample.timestamp = time;
    sample.image = std::move(image).value();
    sample.quality = measure_frame_quality(sample.image);
    run.frames.push_back(std::move(sample));
    if (progress) progress(static_cast<int>(run.frames.size()), picker.wanted());
  };

  auto on_frame = [&](AVFrame* frame) {
    ++run.frames_decoded;
    if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) ++run.decode_errors;
    int64_t pts = frame->best_effort_timestamp;
    double time = pts != AV_NOPTS_VALUE ? input.to_seconds(pts) : synthetic_time;
    synthetic_time = time + frame_step;
    if (run.first_time == kNoTime) run.first_time = time;
    run.last_time = std::max(run.last_time, time);
    picker.offer(frame, time, keep);
  };

  av::PacketPtr packet = av::make_packet();
  av::FramePtr frame = av::make_frame();

  while (!picker.done()) {
    int rc = av_read_frame(fmt, packet.get());
    if (rc < 0) break;  // end of file, or a damaged tail: decode what we have
    if (packet->stream_index == input.stream_index()) {
      if (av_packet_get_side_data(packet.get(), AV_PKT_DATA_ENCRYPTION_INFO, nullptr)) {
        return make_error(ErrorCode::encrypted_input,
                          "This video is encrypted (DRM-protected), so its pictures cannot be "
                          "read. Use an unprotected copy of the clip.");
      }
      run.decode_errors += feed_decoder(decoder, packet.get(), frame.get(), on_frame);
    }
    av_packet_unref(packet.get());
  }
  if (!picker.done()) {
    run.decode_errors += feed_decoder(decoder, nullptr, frame.get(), on_frame);  // delayed frames
    picker.finish(keep);
  }
  return run;
}

// Width x height of a sampled frame of this source (the converter's rule:
// the display size, scaled down so the short side is at most max_short_side).
std::pair<int64_t, int64_t> sampled_size(const SourceInfo& info, int max_short_side) {
  const double dw = info.display_width, dh = info.display_height;
  const double scale = std::min(1.0, max_short_side / std::min(dw, dh));
  return {std::max<int64_t>(1, std::llround(dw * scale)),
          std::max<int64_t>(1, std::llround(dh * scale))};
}

}  // namespace

std::vector<double> sample_targets(const Window& window, int count) {
  std::vector<double> targets;
  const double step = window.length() / count;
  for (int i = 0; i < count; ++i) targets.push_back(window.start + (i + 0.5) * step);
  return targets;
}

std::vector<FramePick> pick_nearest_frames(const std::vector<double>& times,
                                           const std::vector<double>& targets) {
  std::vector<FramePick> picks;
  NearestFrameRule rule(targets);
  auto keep = [&picks](int frame, int target) {
    if (!picks.empty() && picks.back().frame == frame) return;  // a repeat
    picks.push_back({frame, target});
  };
  for (int i = 0; i < static_cast<int>(times.size()) && !rule.done(); ++i) {
    rule.offer(times[i], [&](bool previous, int target) { keep(previous ? i - 1 : i, target); });
  }
  const int last = static_cast<int>(times.size()) - 1;
  rule.finish([&](int target) { keep(last, target); });
  return picks;
}

void seek_to_window(MediaInput& input, const Window& window) {
  // Start at the keyframe at or before the window start; with no start, read
  // from the beginning without a seek (some streams cannot seek).
  if (window.start <= 0.0 || av_seek_frame(input.format(), input.stream_index(),
                                           input.to_pts(window.start), AVSEEK_FLAG_BACKWARD) < 0) {
    input.rewind();
  }
  input.mark_read();
}

Result<Window> window_seen(const SourceInfo& info, const Window& window, double first_time,
                           double last_time) {
  const double frame_step = info.fps ? 1.0 / *info.fps : 0.0;
  const double seen = last_time + frame_step;
  if (seen - std::max(0.0, first_time) < kMinDurationSeconds) {
    return make_error(ErrorCode::too_short, "This video is under 1 second long; use one at "
                                            "least 1 second long.");
  }
  Window out = window;
  if (seen < window.end - frame_step) out.end = seen;
  return out;
}

namespace {

Result<bool> check_sample_options(const SampleOptions& options) {
  if (options.count < 1 || options.count > 256) {
    return make_error(ErrorCode::invalid_argument, "The frame count must be between 1 and 256.");
  }
  if (options.max_short_side < 16 || options.max_short_side > 4096) {
    return make_error(ErrorCode::invalid_argument,
                      "The frame size limit must be between 16 and 4096 pixels.");
  }
  return true;
}

Result<Window> sample_window(const SourceInfo& info, const SampleOptions& options) {
  auto window_or = check_limits(info, options);
  if (!window_or) return window_or.error();
  const auto [out_w, out_h] = sampled_size(info, options.max_short_side);
  const int64_t total_bytes = out_w * out_h * 3 * options.count;
  if (total_bytes > kMaxSampleBytes) {
    return make_error(ErrorCode::invalid_argument,
                      std::to_string(options.count) + " frames of " + std::to_string(out_w) + "x" +
                          std::to_string(out_h) + " would need " +
                          std::to_string(total_bytes >> 20) + " MiB, over the " +
                          std::to_string(kMaxSampleBytes >> 20) +
                          " MiB limit. Ask for fewer frames or a smaller frame size.");
  }
  return window_or;
}

}  // namespace

Result<SamplingInput> open_for_sampling(ByteSource& source, const SampleOptions& options) {
  auto checked = check_sample_options(options);
  if (!checked) return checked.error();
  auto input_or = MediaInput::open(source);
  if (!input_or) return input_or.error();
  auto window_or = sample_window(input_or.value()->info(), options);
  if (!window_or) return window_or.error();
  return SamplingInput{std::move(input_or).value(), window_or.value()};
}

bool worth_skipping_nonref(const SourceInfo& info, const Window& window,
                           const SampleOptions& options) {
  // Skipping non-reference frames pays when samples are sparse (several
  // frames between two samples); near every frame being wanted, it would
  // leave gaps, and then we decode again without skipping.
  return options.skip_nonref && info.fps && window.length() * *info.fps >= 3.0 * options.count;
}

Result<SampleResult> sample_frames(ByteSource& source, const SampleOptions& options,
                                   const SampleProgress& progress) {
  auto opened = open_for_sampling(source, options);
  if (!opened) return opened.error();
  MediaInput& input = *opened.value().input;
  Window window = opened.value().window;

  bool skip = worth_skipping_nonref(input.info(), window, options);
  // A second pass starts counting its samples from 0 again; the caller sees
  // one count that only rises (a progress bar must not jump back).
  int reported = 0;
  SampleProgress rising;
  if (progress) {
    rising = [&reported, &progress](int done, int total) {
      if (done <= reported) return;
      reported = done;
      progress(done, total);
    };
  }
  // Each further pass opens the input afresh: not every stream can seek back.
  auto decode_again = [&](bool skip_nonref, const Window& w) -> Result<DecodeRun> {
    auto again = MediaInput::open(source);
    if (!again) return again.error();
    return decode_window(*again.value(), w, options, skip_nonref, rising);
  };
  auto run = decode_window(input, window, options, skip, rising);
  if (run && skip && static_cast<int>(run.value().frames.size()) < options.count) {
    run = decode_again(/*skip_nonref=*/false, window);
  }
  if (!run) return run.error();

  if (run.value().frames.empty()) {
    return make_error(ErrorCode::unreadable_input,
                      "No picture in this video could be decoded; the file is damaged or cut "
                      "off. Export it again from the original and try again.");
  }
  // Duration unknown up front: the video itself says how long it is. When it
  // ends inside the window, sample again over what is really there.
  if (!input.info().duration) {
    auto seen = window_seen(input.info(), window, run.value().first_time, run.value().last_time);
    if (!seen) return seen.error();
    if (seen.value().end != window.end) {
      window = seen.value();
      run = decode_again(/*skip_nonref=*/false, window);
      if (!run) return run.error();
    }
  }
  DecodeRun& decoded = run.value();

  SampleResult result;
  result.source = input.info();
  result.window = window;
  result.frames = std::move(decoded.frames);
  result.decode_errors = decoded.decode_errors;
  result.frames_decoded = decoded.frames_decoded;
  std::vector<const FrameQuality*> qualities;
  for (const auto& f : result.frames) qualities.push_back(&f.quality);
  result.quality = summarize_quality(qualities);
  result.warnings = quality_warnings(result.quality, window.length(), result.decode_errors);
  return result;
}

}  // namespace charid
