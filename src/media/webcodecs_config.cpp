#include "media/webcodecs_config.h"

#include <cstdio>

#include "media/av_handles.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace charid {
namespace {

Error bad_record(const char* what) {
  return make_error(ErrorCode::invalid_argument,
                    std::string("The stream's ") + what +
                        " configuration record is too short or of an unknown version.");
}

std::string hex2(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02X", v & 0xff);
  return buf;
}

std::string dec2(int v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

bool starts_with_start_code(const std::vector<uint8_t>& b) {
  return (b.size() >= 3 && b[0] == 0 && b[1] == 0 && b[2] == 1) ||
         (b.size() >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 1);
}

// Calls fn(nal_pointer, nal_size) for each NAL unit of a packet, framed either
// by big-endian lengths of `length_size` bytes or (0) by annex-B start codes.
// Stops at the first framing error (a damaged packet counts as "reference").
template <typename Fn>
bool for_each_nal(const uint8_t* data, int size, int length_size, Fn&& fn) {
  if (length_size > 0) {
    int pos = 0;
    while (pos + length_size <= size) {
      uint32_t n = 0;
      for (int i = 0; i < length_size; ++i) n = (n << 8) | data[pos + i];
      pos += length_size;
      if (n == 0 || n > static_cast<uint32_t>(size - pos)) return false;
      fn(data + pos, static_cast<int>(n));
      pos += static_cast<int>(n);
    }
    return pos == size;
  }
  int start = -1;
  for (int i = 0; i + 2 < size; ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (start >= 0) {
        int end = i;
        while (end > start && data[end - 1] == 0) --end;  // the zero of a 4-byte start code
        fn(data + start, end - start);
      }
      start = i + 3;
      i += 2;
    }
  }
  if (start < 0) return false;
  if (start < size) fn(data + start, size - start);
  return true;
}

// VideoColorSpace names (WebCodecs) for FFmpeg's colour enums; "" = not said.
std::string matrix_name(AVColorSpace c) {
  switch (c) {
    case AVCOL_SPC_RGB: return "rgb";
    case AVCOL_SPC_BT709: return "bt709";
    case AVCOL_SPC_BT470BG: return "bt470bg";
    case AVCOL_SPC_SMPTE170M: return "smpte170m";
    case AVCOL_SPC_SMPTE240M: return "smpte240m";
    case AVCOL_SPC_BT2020_NCL: return "bt2020-ncl";
    default: return "";
  }
}
std::string primaries_name(AVColorPrimaries p) {
  switch (p) {
    case AVCOL_PRI_BT709: return "bt709";
    case AVCOL_PRI_BT470BG: return "bt470bg";
    case AVCOL_PRI_SMPTE170M: return "smpte170m";
    case AVCOL_PRI_BT2020: return "bt2020";
    case AVCOL_PRI_SMPTE432: return "smpte432";
    default: return "";
  }
}
std::string transfer_name(AVColorTransferCharacteristic t) {
  switch (t) {
    case AVCOL_TRC_BT709: return "bt709";
    case AVCOL_TRC_SMPTE170M: return "smpte170m";
    case AVCOL_TRC_IEC61966_2_1: return "iec61966-2-1";
    case AVCOL_TRC_LINEAR: return "linear";
    case AVCOL_TRC_SMPTE2084: return "pq";
    case AVCOL_TRC_ARIB_STD_B67: return "hlg";
    default: return "";
  }
}

int bit_depth_of(const AVCodecParameters* par) {
  if (par->format < 0) return 0;
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(par->format));
  return d ? d->comp[0].depth : 0;
}

// The smallest AV1 level (seq_level_idx) whose picture size limit holds w x h.
int av1_level_for_size(int w, int h) {
  const int64_t px = int64_t{w} * h;
  struct Step { int64_t max_pixels; int level; };
  static constexpr Step steps[] = {{147456, 0},   {278784, 1},   {665856, 4},   {1065024, 5},
                                   {2359296, 8},  {8912896, 12}, {35651584, 16}};
  for (const Step& s : steps) {
    if (px <= s.max_pixels) return s.level;
  }
  return 23;  // "no level limit"... the largest defined
}

Result<std::string> vp9_from_extradata(const std::vector<uint8_t>& e, const AVCodecParameters* par,
                                       const AVPacket* first_packet) {
  int profile = -1, level = -1, depth = 0;
  if (e.size() >= 12 && e[0] == 1) {  // vpcC (version 1): profile, level, bitDepth<<4
    profile = e[4];
    level = e[5];
    depth = e[6] >> 4;
  } else {
    // WebM CodecPrivate: ID, length, value triples (1 profile, 2 level, 3 bit depth).
    for (size_t i = 0; i + 2 < e.size(); i += 2 + e[i + 1]) {
      if (e[i + 1] != 1) break;
      if (e[i] == 1) profile = e[i + 2];
      if (e[i] == 2) level = e[i + 2];
      if (e[i] == 3) depth = e[i + 2];
    }
  }
  if (profile < 0 && par->profile >= 0 && par->profile <= 3) profile = par->profile;
  if (profile < 0 && first_packet) profile = vp9_profile_of_frame(first_packet->data, first_packet->size);
  if (profile < 0) profile = 0;
  if (level <= 0) level = vp9_level_for_size(par->width, par->height);
  if (depth <= 0) depth = bit_depth_of(par);
  if (depth <= 0) depth = profile >= 2 ? 10 : 8;
  return vp9_codec_string(profile, level, depth);
}

}  // namespace

Result<std::string> avc_codec_string(const std::vector<uint8_t>& avcc) {
  if (avcc.size() < 7 || avcc[0] != 1) return bad_record("H.264 (avcC)");
  return "avc1." + hex2(avcc[1]) + hex2(avcc[2]) + hex2(avcc[3]);
}

Result<std::string> avc_codec_string_annex_b(const std::vector<uint8_t>& annex_b) {
  std::string out;
  for_each_nal(annex_b.data(), static_cast<int>(annex_b.size()), 0, [&](const uint8_t* n, int size) {
    if (out.empty() && size >= 4 && (n[0] & 0x1f) == 7) out = "avc1." + hex2(n[1]) + hex2(n[2]) + hex2(n[3]);
  });
  if (out.empty()) return bad_record("H.264 (annex-B SPS)");
  return out;
}

Result<std::string> hevc_codec_string(const std::vector<uint8_t>& hvcc, const std::string& prefix) {
  if (hvcc.size() < 23 || hvcc[0] != 1) return bad_record("HEVC (hvcC)");
  static const char* spaces[] = {"", "A", "B", "C"};
  const int space = hvcc[1] >> 6, tier = (hvcc[1] >> 5) & 1, profile = hvcc[1] & 0x1f;
  uint32_t compat = (uint32_t{hvcc[2]} << 24) | (uint32_t{hvcc[3]} << 16) | (uint32_t{hvcc[4]} << 8) | hvcc[5];
  uint32_t reversed = 0;
  for (int i = 0; i < 32; ++i) reversed |= ((compat >> i) & 1u) << (31 - i);
  char compat_hex[16];
  std::snprintf(compat_hex, sizeof compat_hex, "%X", reversed);
  std::string s = prefix + "." + spaces[space] + std::to_string(profile) + "." + compat_hex + "." +
                  (tier ? "H" : "L") + std::to_string(hvcc[12]);
  int last = 11;  // constraint bytes 6..11, trailing zero bytes left out
  while (last >= 6 && hvcc[last] == 0) --last;
  for (int i = 6; i <= last; ++i) {
    char b[8];
    std::snprintf(b, sizeof b, ".%X", hvcc[i]);
    s += b;
  }
  return s;
}

Result<std::string> av1_codec_string(const std::vector<uint8_t>& av1c) {
  if (av1c.size() < 4 || av1c[0] != 0x81) return bad_record("AV1 (av1C)");
  const int profile = av1c[1] >> 5, level = av1c[1] & 0x1f;
  const bool tier = av1c[2] & 0x80, high = av1c[2] & 0x40, twelve = av1c[2] & 0x20;
  const int depth = twelve ? 12 : high ? 10 : 8;
  return "av01." + std::to_string(profile) + "." + dec2(level) + (tier ? "H" : "M") + "." + dec2(depth);
}

std::string vp9_codec_string(int profile, int level, int bit_depth) {
  return "vp09." + dec2(profile) + "." + dec2(level) + "." + dec2(bit_depth);
}

int vp9_level_for_size(int width, int height) {
  const int64_t px = int64_t{width} * height;
  struct Step { int64_t max_pixels; int level; };
  static constexpr Step steps[] = {{36864, 10},    {73728, 11},    {122880, 20},  {245760, 21},
                                   {552960, 30},   {983040, 31},   {2228224, 40}, {8912896, 50},
                                   {35651584, 60}};
  for (const Step& s : steps) {
    if (px <= s.max_pixels) return s.level;
  }
  return 62;
}

int vp9_profile_of_frame(const uint8_t* data, int size) {
  if (!data || size < 1) return -1;
  const uint8_t b = data[0];
  if ((b >> 6) != 2) return -1;  // frame_marker
  const int profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
  return profile == 3 ? 3 : profile;
}

bool is_non_reference_avc(const uint8_t* data, int size, int nal_length_size) {
  bool any_picture = false, any_reference = false;
  const bool framed = for_each_nal(data, size, nal_length_size, [&](const uint8_t* n, int s) {
    if (s < 1) return;
    const int type = n[0] & 0x1f;
    if (type >= 1 && type <= 5) {
      any_picture = true;
      if ((n[0] >> 5) & 3) any_reference = true;
    }
  });
  return framed && any_picture && !any_reference;
}

bool is_non_reference_hevc(const uint8_t* data, int size, int nal_length_size) {
  bool any_picture = false, any_reference = false;
  const bool framed = for_each_nal(data, size, nal_length_size, [&](const uint8_t* n, int s) {
    if (s < 2) return;
    const int type = (n[0] >> 1) & 0x3f;
    if (type > 31) return;  // not a picture
    any_picture = true;
    // Sub-layer non-reference pictures are the even types below 16 (TRAIL_N, TSA_N, ...).
    if (!(type < 16 && type % 2 == 0)) any_reference = true;
  });
  return framed && any_picture && !any_reference;
}

int nal_length_size_avcc(const std::vector<uint8_t>& avcc) {
  return avcc.size() >= 7 && avcc[0] == 1 ? (avcc[4] & 3) + 1 : 0;
}

int nal_length_size_hvcc(const std::vector<uint8_t>& hvcc) {
  return hvcc.size() >= 23 && hvcc[0] == 1 ? (hvcc[21] & 3) + 1 : 0;
}

Result<WebCodecsConfig> webcodecs_config(const AVStream* stream, int rotation, int sar_num,
                                         int sar_den, const AVPacket* first_packet) {
  const AVCodecParameters* par = stream->codecpar;
  WebCodecsConfig c;
  std::vector<uint8_t> extra(par->extradata, par->extradata + par->extradata_size);
  switch (par->codec_id) {
    case AV_CODEC_ID_H264: {
      if (extra.empty() || starts_with_start_code(extra)) {
        c.annex_b = true;
        auto s = avc_codec_string_annex_b(extra);
        if (!s && first_packet) {
          s = avc_codec_string_annex_b({first_packet->data, first_packet->data + first_packet->size});
        }
        if (!s) return s.error();
        c.codec = s.value();
      } else {
        auto s = avc_codec_string(extra);
        if (!s) return s.error();
        c.codec = s.value();
        c.description = extra;
      }
      break;
    }
    case AV_CODEC_ID_HEVC: {
      const bool hev1 = par->codec_tag == MKTAG('h', 'e', 'v', '1');
      if (extra.size() >= 23 && extra[0] == 1) {
        auto s = hevc_codec_string(extra, hev1 ? "hev1" : "hvc1");
        if (!s) return s.error();
        c.codec = s.value();
        c.description = extra;
      } else {
        // Annex-B (MPEG-TS): the parameter sets are in-band, so hev1; profile and level from FFmpeg.
        c.annex_b = true;
        const int profile = par->profile > 0 ? par->profile : 1;
        char compat[16];
        std::snprintf(compat, sizeof compat, "%X", 1u << profile);
        c.codec = "hev1." + std::to_string(profile) + "." + compat + ".L" +
                  std::to_string(par->level > 0 ? par->level : 93) + ".B0";
      }
      break;
    }
    case AV_CODEC_ID_VP9: {
      auto s = vp9_from_extradata(extra, par, first_packet);
      if (!s) return s.error();
      c.codec = s.value();
      break;
    }
    case AV_CODEC_ID_VP8: c.codec = "vp8"; break;
    case AV_CODEC_ID_AV1: {
      auto s = av1_codec_string(extra);
      if (s) {
        c.codec = s.value();
      } else {
        // No av1C (IVF keeps a sequence header instead): FFmpeg's profile and level.
        const int depth = bit_depth_of(par);
        const int level = par->level >= 0 && par->level < 32 ? par->level
                                                             : av1_level_for_size(par->width, par->height);
        c.codec = "av01." + std::to_string(par->profile >= 0 && par->profile <= 2 ? par->profile : 0) +
                  "." + dec2(level) + "M." + dec2(depth > 0 ? depth : 8);
      }
      break;
    }
    default:
      return make_error(ErrorCode::unsupported_codec,
                        std::string("WebCodecs has no codec string here for ") +
                            avcodec_get_name(par->codec_id) + ".");
  }
  c.coded_width = par->width;
  c.coded_height = par->height;
  const AVRational sar{sar_num, sar_den};
  c.display_width = par->width;
  c.display_height = par->height;
  if (sar.num > 0 && sar.den > 0) {
    c.sar_num = sar.num;
    c.sar_den = sar.den;
    const double r = av_q2d(sar);
    if (r > 1.0) c.display_width = static_cast<int>(par->width * r + 0.5);
    if (r < 1.0) c.display_height = static_cast<int>(par->height / r + 0.5);
  }
  c.rotation = rotation;
  c.matrix = matrix_name(par->color_space);
  c.primaries = primaries_name(par->color_primaries);
  c.transfer = transfer_name(par->color_trc);
  if (par->color_range == AVCOL_RANGE_JPEG) c.full_range = true;
  if (par->color_range == AVCOL_RANGE_MPEG) c.full_range = false;
  return c;
}

}  // namespace charid
