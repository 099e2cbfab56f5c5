// A decode plan: everything a decoder outside the core (a browser's WebCodecs
// VideoDecoder) needs to produce the same samples as sample_frames, without
// the core decoding anything. The core demuxes, chooses the window and the
// packets, and keeps the sampling policy (targets, the nearest-frame rule,
// which non-reference packets can be left out); the decoder only decodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/byte_source.h"
#include "media/media_types.h"
#include "media/webcodecs_config.h"

namespace charid {

struct PlanPacket {
  std::vector<uint8_t> data;  // as demuxed: length-prefixed NAL units with a description, else as is
  int64_t timestamp_us = 0;   // presentation time from the start of the video (SampledFrame's origin)
  int64_t duration_us = 0;    // 0 when unknown
  bool key = false;
};

struct DecodePlan {
  SourceInfo source;
  Window window;
  WebCodecsConfig config;
  std::vector<double> targets;         // seconds, one per sample
  std::vector<PlanPacket> packets;     // in decode order, starting with a key packet
  // The presentation times (µs) of the frames the rule is expected to keep, given the packets
  // sent: a decoder may copy only these out, then check with pick_nearest_frames.
  std::vector<int64_t> expected_us;
  bool skipped_nonref = false;         // non-reference packets were left out
  int packets_in_window = 0;           // packets read from the seek point, before any were left out
  int64_t packet_bytes = 0;
};

// The packets in a plan are held in memory until the caller takes them; more than this is
// refused (a 4 s window of any sane stream is far below).
inline constexpr int64_t kMaxPlanBytes = int64_t{256} << 20;

// Same options, limits and errors as sample_frames (count, frame size, window, 720p, too
// short, encrypted), plus unsupported_codec for a codec WebCodecs has no string for (GIF, MPEG-4).
Result<DecodePlan> plan_decode(ByteSource& source, const SampleOptions& options = {});

}  // namespace charid
