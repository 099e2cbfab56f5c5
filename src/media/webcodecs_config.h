// What a browser's WebCodecs VideoDecoder needs to decode a stream: the codec
// string (RFC 6381 style, as the WebCodecs codec registry spells it), the
// `description` bytes, sizes and the colour description. Built from the
// stream's own extradata (avcC, hvcC, vpcC, av1C) so the page never guesses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct AVStream;
struct AVPacket;

namespace charid {

struct WebCodecsConfig {
  std::string codec;                 // avc1.64001f, hvc1.1.6.L93.B0, vp09.00.31.08, av01.0.08M.08
  std::vector<uint8_t> description;  // avcC / hvcC record; empty for annex-B, VP8, VP9, AV1
  bool annex_b = false;              // H.264/HEVC packets with start codes (no description)
  int coded_width = 0;
  int coded_height = 0;
  int display_width = 0;             // after the sample aspect ratio (square pixels), not rotated
  int display_height = 0;
  int rotation = 0;                  // clockwise degrees the decoded picture must still be turned
  int sar_num = 0;                   // sample aspect ratio (0/0: unknown, square)
  int sar_den = 0;
  // Colour description in WebCodecs' VideoColorSpace names; empty when the stream does not say.
  std::string matrix;                // bt709, bt470bg, smpte170m, bt2020-ncl, smpte240m, rgb
  std::string primaries;             // bt709, bt470bg, smpte170m, bt2020, smpte432
  std::string transfer;              // bt709, smpte170m, iec61966-2-1, linear, pq, hlg
  std::optional<bool> full_range;
};

// Codec strings from the configuration records (the box payloads, as FFmpeg
// keeps them in extradata). Each refuses a record too short or of the wrong
// version with invalid_argument.
Result<std::string> avc_codec_string(const std::vector<uint8_t>& avcc);
// From an annex-B byte string (start codes): the first SPS's profile and level.
Result<std::string> avc_codec_string_annex_b(const std::vector<uint8_t>& annex_b);
// `prefix` is hvc1 (parameter sets in the description) or hev1 (also in-band).
Result<std::string> hevc_codec_string(const std::vector<uint8_t>& hvcc, const std::string& prefix);
Result<std::string> av1_codec_string(const std::vector<uint8_t>& av1c);
// vp09.PP.LL.DD from the VP9 profile, level (VP9 numbering: 10 = 1.0, 31 = 3.1) and bit depth.
std::string vp9_codec_string(int profile, int level, int bit_depth);
// The smallest VP9 level whose picture size limit holds width x height.
int vp9_level_for_size(int width, int height);
// The profile (0..3) in a VP9 frame's uncompressed header, or -1 when it is not a VP9 frame.
int vp9_profile_of_frame(const uint8_t* data, int size);

// True when every H.264 / HEVC picture NAL unit in the packet is a
// non-reference one (nal_ref_idc 0; HEVC sub-layer non-reference types), so
// no later picture needs it. `nal_length_size` 0 means annex-B start codes.
bool is_non_reference_avc(const uint8_t* data, int size, int nal_length_size);
bool is_non_reference_hevc(const uint8_t* data, int size, int nal_length_size);
// The NAL length size (1, 2 or 4) of an avcC / hvcC record, 0 when unknown.
int nal_length_size_avcc(const std::vector<uint8_t>& avcc);
int nal_length_size_hvcc(const std::vector<uint8_t>& hvcc);

// The whole configuration of a demuxed stream, with its rotation and sample
// aspect ratio as the demuxer worked them out; `first_packet` (may be null)
// helps when the container says little (a VP9 WebM without vpcC).
Result<WebCodecsConfig> webcodecs_config(const AVStream* stream, int rotation, int sar_num,
                                         int sar_den, const AVPacket* first_packet);

}  // namespace charid
