#include "media/decode_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "media/frame_sampler.h"
#include "media/media_input.h"

namespace charid {
namespace {

struct TimedPacket {
  PlanPacket packet;
  double time = 0.0;  // seconds, exactly as the wasm sampler computes frame times
  bool non_reference = false;
};

bool leaves_no_reference(const AVCodecParameters* par, const WebCodecsConfig& config,
                         const AVPacket* pkt) {
  if (pkt->flags & AV_PKT_FLAG_DISPOSABLE) return true;
  if (par->codec_id == AV_CODEC_ID_H264) {
    const int length_size = config.annex_b ? 0 : nal_length_size_avcc(config.description);
    return is_non_reference_avc(pkt->data, pkt->size, length_size);
  }
  if (par->codec_id == AV_CODEC_ID_HEVC) {
    const int length_size = config.annex_b ? 0 : nal_length_size_hvcc(config.description);
    return is_non_reference_hevc(pkt->data, pkt->size, length_size);
  }
  return false;  // VP8/VP9/AV1: the wasm decoders decode every frame of these too
}

// The times of the chosen packets (indices into `packets`) in presentation order.
std::vector<double> presentation_times(const std::vector<TimedPacket>& packets,
                                       const std::vector<size_t>& chosen) {
  std::vector<double> times;
  for (size_t i : chosen) times.push_back(packets[i].time);
  std::sort(times.begin(), times.end());
  return times;
}

}  // namespace

Result<DecodePlan> plan_decode(ByteSource& source, const SampleOptions& options) {
  auto opened = open_for_sampling(source, options);
  if (!opened) return opened.error();
  MediaInput& input = *opened.value().input;
  DecodePlan plan;
  plan.source = input.info();
  plan.window = opened.value().window;
  const double last_target = sample_targets(plan.window, options.count).back();

  AVStream* st = input.stream();
  seek_to_window(input, plan.window);
  const double frame_step = plan.source.fps ? 1.0 / *plan.source.fps : 0.04;
  double synthetic_time = 0.0;
  double max_time = -std::numeric_limits<double>::infinity();
  std::vector<TimedPacket> packets;
  av::PacketPtr pkt = av::make_packet();
  bool have_config = false;
  while (av_read_frame(input.format(), pkt.get()) >= 0) {
    struct Unref {
      AVPacket* p;
      ~Unref() { av_packet_unref(p); }
    } unref{pkt.get()};
    if (pkt->stream_index != input.stream_index()) continue;
    if (av_packet_get_side_data(pkt.get(), AV_PKT_DATA_ENCRYPTION_INFO, nullptr)) {
      return make_error(ErrorCode::encrypted_input,
                        "This video is encrypted (DRM-protected), so its pictures cannot be "
                        "read. Use an unprotected copy of the clip.");
    }
    // A decoder starts at a key packet; anything before the first one cannot be decoded.
    if (packets.empty() && !(pkt->flags & AV_PKT_FLAG_KEY)) continue;
    if (!have_config) {
      const AVRational sar = av_guess_sample_aspect_ratio(input.format(), st, nullptr);
      auto config = webcodecs_config(st, plan.source.rotation, sar.num, sar.den, pkt.get());
      if (!config) return config.error();
      plan.config = std::move(config).value();
      have_config = true;
    }
    const int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    const double time = pts != AV_NOPTS_VALUE ? input.to_seconds(pts) : synthetic_time;
    synthetic_time = time + frame_step;
    // Every frame that can be nearest to the last target is in: with reordering (B-frames),
    // the pictures shown between two reference pictures come before the next one in decode
    // order, so the second new latest time past the last target ends the window.
    if (time > max_time && max_time >= last_target) break;
    max_time = std::max(max_time, time);

    TimedPacket tp;
    tp.time = time;
    tp.packet.data.assign(pkt->data, pkt->data + pkt->size);
    tp.packet.timestamp_us = std::llround(time * 1e6);
    tp.packet.duration_us =
        pkt->duration > 0 ? std::llround(pkt->duration * av_q2d(st->time_base) * 1e6) : 0;
    tp.packet.key = pkt->flags & AV_PKT_FLAG_KEY;
    tp.non_reference = !tp.packet.key && leaves_no_reference(st->codecpar, plan.config, pkt.get());
    plan.packet_bytes += pkt->size;
    if (plan.packet_bytes > kMaxPlanBytes) {
      return make_error(ErrorCode::input_too_large,
                        "The packets of this window are over " +
                            std::to_string(kMaxPlanBytes >> 20) +
                            " MiB; the video's bit rate is far too high. Export it at a usual "
                            "bit rate and try again.");
    }
    packets.push_back(std::move(tp));
  }
  if (packets.empty()) {
    return make_error(ErrorCode::unreadable_input,
                      "No picture in this video could be decoded; the file is damaged or cut "
                      "off. Export it again from the original and try again.");
  }
  plan.packets_in_window = static_cast<int>(packets.size());

  std::vector<size_t> all(packets.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  // Duration unknown: the frames the wasm sampler would have seen (up to the first one at or
  // past the last target) say where the video ends.
  if (!plan.source.duration) {
    const std::vector<double> times = presentation_times(packets, all);
    auto at_last = std::lower_bound(times.begin(), times.end(), last_target);
    const double last_seen = at_last != times.end() ? *at_last : times.back();
    auto seen = window_seen(plan.source, plan.window, times.front(), last_seen);
    if (!seen) return seen.error();
    plan.window = seen.value();
  }
  plan.targets = sample_targets(plan.window, options.count);

  std::vector<size_t> sent = all;
  if (worth_skipping_nonref(plan.source, plan.window, options)) {
    std::vector<size_t> kept;
    for (size_t i : all) {
      if (!packets[i].non_reference) kept.push_back(i);
    }
    // As in the wasm sampler: when leaving them out would leave a target without its own
    // frame, every packet is sent.
    if (kept.size() < all.size() &&
        static_cast<int>(pick_nearest_frames(presentation_times(packets, kept), plan.targets).size()) >=
            options.count) {
      sent = kept;
      plan.skipped_nonref = true;
    }
  }
  const std::vector<double> times = presentation_times(packets, sent);
  for (const FramePick& pick : pick_nearest_frames(times, plan.targets)) {
    plan.expected_us.push_back(std::llround(times[pick.frame] * 1e6));
  }
  plan.packet_bytes = 0;
  for (size_t i : sent) {
    plan.packet_bytes += static_cast<int64_t>(packets[i].packet.data.size());
    plan.packets.push_back(std::move(packets[i].packet));
  }
  return plan;
}

}  // namespace charid
