// WebCodecs configurations built from the real fixtures' extradata: the codec
// strings the WebCodecs codec registry expects for H.264 (avcC and annex-B),
// HEVC, VP9 (WebM without vpcC) and AV1, and the non-reference packet rule.
#include <catch.hpp>

#include "media/media_input.h"
#include "media/webcodecs_config.h"
#include "shared_paths.h"

using namespace charid;

namespace {

Result<WebCodecsConfig> config_of(const std::string& rel) {
  FileByteSource src(test::media(rel));
  auto input = MediaInput::open(src);
  REQUIRE(input.ok());
  MediaInput& in = *input.value();
  av::PacketPtr pkt = av::make_packet();
  while (av_read_frame(in.format(), pkt.get()) >= 0 && pkt->stream_index != in.stream_index()) {
    av_packet_unref(pkt.get());
  }
  const AVRational sar = av_guess_sample_aspect_ratio(in.format(), in.stream(), nullptr);
  auto c = webcodecs_config(in.stream(), in.info().rotation, sar.num, sar.den, pkt.get());
  av_packet_unref(pkt.get());
  return c;
}

}  // namespace

TEST_CASE("H.264 in MP4: avc1 string from avcC, the record as description") {
  auto c = config_of("Vanilagy__mediabunny/video.mp4");
  REQUIRE(c.ok());
  CHECK(c.value().codec == "avc1.640028");
  CHECK_FALSE(c.value().annex_b);
  REQUIRE(c.value().description.size() > 7);
  CHECK(c.value().description[0] == 1);
  CHECK(nal_length_size_avcc(c.value().description) == 4);
  CHECK(c.value().coded_width == 1920);
  CHECK(c.value().coded_height == 1080);
  CHECK(c.value().matrix == "bt470bg");
  CHECK(c.value().full_range == std::optional<bool>(true));
}

TEST_CASE("annex-B H.264: the string from the in-band SPS, no description") {
  auto c = config_of("Vanilagy__mediabunny/annex-b.mp4");
  REQUIRE(c.ok());
  CHECK(c.value().annex_b);
  CHECK(c.value().description.empty());
  CHECK(c.value().codec == "avc1.424028");

  auto ts = config_of("Vanilagy__mediabunny/0.ts");
  REQUIRE(ts.ok());
  CHECK(ts.value().annex_b);
  CHECK(ts.value().codec.rfind("avc1.64", 0) == 0);  // High profile
  CHECK(ts.value().codec.substr(9) == "20");          // level 3.2
}

TEST_CASE("HEVC: hev1/hvc1 with compatibility flags, tier, level and constraint bytes") {
  auto c = config_of("Vanilagy__mediabunny/video-h265.mp4");
  REQUIRE(c.ok());
  CHECK(c.value().codec == "hev1.1.6.L120.90");
  CHECK(nal_length_size_hvcc(c.value().description) == 4);
  // The record from the ISO/IEC 14496-15 example: Main, level 3.1, constraint byte 0xB0.
  std::vector<uint8_t> hvcc(23, 0);
  hvcc[0] = 1;
  hvcc[1] = 0x01;
  hvcc[2] = 0x60;
  hvcc[6] = 0xB0;
  hvcc[12] = 93;
  CHECK(hevc_codec_string(hvcc, "hvc1").value() == "hvc1.1.6.L93.B0");
  CHECK_FALSE(hevc_codec_string({1, 2, 3}, "hvc1").ok());
}

TEST_CASE("VP9 in WebM without vpcC: profile from the stream, level from the picture size") {
  auto small = config_of("Yahweasel__libav.js/bbb_bitrate.webm");  // 640x360
  REQUIRE(small.ok());
  CHECK(small.value().codec == "vp09.00.21.08");
  CHECK(small.value().description.empty());
  auto hd = config_of("Vanilagy__mediabunny/transparency.webm");  // 1280x720
  REQUIRE(hd.ok());
  CHECK(hd.value().codec == "vp09.00.31.08");
  CHECK(vp9_level_for_size(1920, 1080) == 40);
  CHECK(vp9_codec_string(2, 41, 10) == "vp09.02.41.10");
}

TEST_CASE("AV1: av01 string from av1C, or FFmpeg's profile and level without one") {
  auto mkv = config_of("pytorch__torchcodec/av1_video.mkv");
  REQUIRE(mkv.ok());
  CHECK(mkv.value().codec == "av01.0.01M.08");
  auto mp4 = config_of("vidyesh95__qatoto-frontend/Sintel_1080_10s_1MB.mp4");
  REQUIRE(mp4.ok());
  CHECK(mp4.value().codec == "av01.0.08M.08");
  auto ivf = config_of("Eyevinn__mp4ff/av1.ivf");  // a sequence header, not an av1C
  REQUIRE(ivf.ok());
  CHECK(ivf.value().codec == "av01.0.00M.08");
  CHECK_FALSE(av1_codec_string({0x0a, 0x0b, 0, 0}).ok());
}

TEST_CASE("rotation and sample aspect ratio are carried for the caller to apply") {
  auto rotated = config_of("Vanilagy__mediabunny/rotate-buck-bunny.mp4");
  REQUIRE(rotated.ok());
  CHECK(rotated.value().rotation == 90);
  CHECK(rotated.value().coded_width == 1920);
  auto sar = config_of("Vanilagy__mediabunny/sar_2x1.mp4");
  REQUIRE(sar.ok());
  CHECK(sar.value().display_width == 1280);
  CHECK(sar.value().display_height == 360);
}

TEST_CASE("codecs WebCodecs has no string for are unsupported_codec") {
  auto gif = config_of("intel-iot-devkit__sample-videos/head-pose-face-detection-female.gif");
  REQUIRE_FALSE(gif.ok());
  CHECK(gif.error().code == ErrorCode::unsupported_codec);
}

TEST_CASE("non-reference H.264 packets are told by nal_ref_idc") {
  // Length-prefixed: one slice NAL with nal_ref_idc 0 (type 1), then one with 2 (type 1).
  const uint8_t nonref[] = {0, 0, 0, 2, 0x01, 0x88};
  const uint8_t ref[] = {0, 0, 0, 2, 0x41, 0x88};
  CHECK(is_non_reference_avc(nonref, sizeof nonref, 4));
  CHECK_FALSE(is_non_reference_avc(ref, sizeof ref, 4));
  const uint8_t annex_b[] = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x01, 0x88};  // AUD + non-ref slice
  CHECK(is_non_reference_avc(annex_b, sizeof annex_b, 0));
  const uint8_t broken[] = {0, 0, 0, 9, 0x01};  // length past the end: treated as a reference
  CHECK_FALSE(is_non_reference_avc(broken, sizeof broken, 4));
  // HEVC: TRAIL_N (0) is non-reference, TRAIL_R (1) is not.
  const uint8_t trail_n[] = {0, 0, 0, 3, 0x00, 0x01, 0xaa};
  const uint8_t trail_r[] = {0, 0, 0, 3, 0x02, 0x01, 0xaa};
  CHECK(is_non_reference_hevc(trail_n, sizeof trail_n, 4));
  CHECK_FALSE(is_non_reference_hevc(trail_r, sizeof trail_r, 4));
}
