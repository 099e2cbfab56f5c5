// probe on the real fixture files in ../shared/fixtures/media.
#include <catch.hpp>

#include "media/media_input.h"
#include "media/probe.h"
#include "shared_paths.h"

using namespace charid;
using charid::test::media;

namespace {
Result<ProbeResult> probe_file(const std::string& rel, bool allow_low_res = false) {
  FileByteSource src(media(rel));
  ProbeOptions o;
  o.allow_low_res = allow_low_res;
  return probe(src, o);
}
ErrorCode code_of(const std::string& rel, bool allow_low_res = true) {
  auto r = probe_file(rel, allow_low_res);
  REQUIRE_FALSE(r.ok());
  return r.error().code;
}
}  // namespace

TEST_CASE("probe describes a 1080p H.264 MP4 and its default window") {
  auto r = probe_file("Vanilagy__mediabunny/video.mp4");
  REQUIRE(r.ok());
  const SourceInfo& s = r.value().source;
  CHECK(s.codec == "h264");
  CHECK(s.container.find("mp4") != std::string::npos);
  CHECK(s.width == 1920);
  CHECK(s.height == 1080);
  CHECK(s.display_width == 1920);
  CHECK(s.rotation == 0);
  REQUIRE(s.duration);
  CHECK(*s.duration == Approx(5.0).margin(0.1));
  REQUIRE(s.fps);
  CHECK(*s.fps == Approx(25.0));
  CHECK(s.has_audio);
  CHECK(s.bytes == 1992800);
  CHECK(r.value().window.start == 0.0);
  CHECK(r.value().window.end == Approx(4.0));
}

TEST_CASE("probe applies rotation metadata and sample aspect ratio to the display size") {
  auto rotated = probe_file("Vanilagy__mediabunny/rotate-buck-bunny.mp4");
  REQUIRE(rotated.ok());
  CHECK(rotated.value().source.rotation == 90);
  CHECK(rotated.value().source.display_width == 1080);
  CHECK(rotated.value().source.display_height == 1920);

  auto upside_down = probe_file("Zulko__moviepy/fire2.mp4");
  REQUIRE(upside_down.ok());
  CHECK(upside_down.value().source.rotation == 180);

  auto sar = probe_file("Vanilagy__mediabunny/sar_2x1.mp4", true);
  REQUIRE(sar.ok());
  CHECK(sar.value().source.width == 640);
  CHECK(sar.value().source.display_width == 1280);
  CHECK(sar.value().source.display_height == 360);
}

TEST_CASE("probe names the codecs the core decodes") {
  CHECK(probe_file("Vanilagy__mediabunny/video-h265.mp4").value().source.codec == "hevc");
  CHECK(probe_file("Eyevinn__mp4ff/vp8.ivf", true).value().source.codec == "vp8");
  CHECK(probe_file("Eyevinn__mp4ff/vp9.ivf", true).value().source.codec == "vp9");
  CHECK(probe_file("pytorch__torchcodec/av1_video.mkv", true).value().source.codec == "av1");
  CHECK(probe_file("OpenShot__libopenshot/test.mp4").value().source.codec == "mpeg4");
  auto gif = probe_file("intel-iot-devkit__sample-videos/head-pose-face-detection-male.gif", true);
  CHECK(gif.value().source.codec == "gif");
  auto ten_bit = probe_file("pytorch__torchcodec/h265_10bits.mp4", true);
  CHECK(ten_bit.value().source.bit_depth == 10);
}

TEST_CASE("probe rejects bad input with the contract's codes") {
  CHECK(code_of("Eyevinn__mp4ff/init_truncated.mp4") == ErrorCode::unreadable_input);
  CHECK(code_of("sitkevij__test-media/chunk_out_of_range.mp4") == ErrorCode::unreadable_input);
  CHECK(code_of("PROVENANCE.md") == ErrorCode::unreadable_input);
  CHECK(code_of("no_such_file.mp4") == ErrorCode::unreadable_input);
  CHECK(code_of("Eyevinn__mp4ff/opus.mp4") == ErrorCode::no_video_stream);
  CHECK(code_of("Eyevinn__mp4ff/vvc_400kbps_2s.mp4") == ErrorCode::unsupported_codec);
  CHECK(code_of("Eyevinn__mp4ff/cbcs.mp4") == ErrorCode::encrypted_input);
  CHECK(code_of("sitkevij__test-media/short-cenc.mp4") == ErrorCode::encrypted_input);
  CHECK(code_of("sitkevij__test-media/minimal.mp4") == ErrorCode::too_short);
}

TEST_CASE("the 720p minimum is on by default and can be turned off") {
  auto low = probe_file("Yahweasel__libav.js/bbb_bitrate.webm");
  REQUIRE_FALSE(low.ok());
  CHECK(low.error().code == ErrorCode::resolution_too_low);
  CHECK(low.error().message.find("640x360") != std::string::npos);
  CHECK(probe_file("Yahweasel__libav.js/bbb_bitrate.webm", true).ok());
  // Short side of a portrait 720x1280 video is 720: allowed.
  CHECK(probe_file("shaka-project__shaka-player/hls-ts-muxed-aac-h265_0.ts").ok());
  // Non-square pixels: 640x360 stored, 1280x360 shown; short side 360.
  CHECK(probe_file("Vanilagy__mediabunny/sar_2x1.mp4").error().code ==
        ErrorCode::resolution_too_low);
}

TEST_CASE("the window is trimmed to 4 s, follows the start, and stays inside the video") {
  FileByteSource src(media("Zulko__moviepy/big_buck_bunny_0_30.webm"));
  ProbeOptions o;
  o.start = 10.0;
  auto r = probe(src, o);
  REQUIRE(r.ok());
  CHECK(r.value().window.start == 10.0);
  CHECK(r.value().window.end == Approx(14.0));

  o.start = 28.5;
  auto tail = probe(src, o);
  REQUIRE(tail.ok());
  CHECK(tail.value().window.end == Approx(30.0).margin(0.05));
  CHECK(tail.value().warnings == std::vector<std::string>{"short_clip"});

  o.start = 31.0;
  auto past = probe(src, o);
  REQUIRE_FALSE(past.ok());
  CHECK(past.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("a stream without a known duration still probes") {
  auto r = probe_file("Zulko__moviepy/no_duration.webm");
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().source.duration.has_value());
  CHECK(r.value().window.end == Approx(4.0));
}

TEST_CASE("seconds in messages are written out, never in exponent form") {
  // 125 s used to read "1.2e+02 s"; a 30.04 s video "30 s".
  FileByteSource src(media("Zulko__moviepy/big_buck_bunny_0_30.webm"));
  ProbeOptions o;
  o.allow_low_res = true;
  o.start = 125.0;
  auto r = probe(src, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  INFO(r.error().message);
  CHECK(r.error().message.find("The start time 125 s is past the end") != std::string::npos);
  CHECK(r.error().message.find("e+") == std::string::npos);

  SourceInfo half_second;
  half_second.display_width = half_second.display_height = 1080;
  half_second.duration = 0.5;
  auto short_clip = check_limits(half_second, ProbeOptions{});
  REQUIRE_FALSE(short_clip.ok());
  CHECK(short_clip.error().code == ErrorCode::too_short);
  CHECK(short_clip.error().message.find("is 0.5 s long") != std::string::npos);
}

TEST_CASE("a start too large to make a window is invalid_argument, not an empty window") {
  // A raw H.264 stream has no duration up front, so no "past the end" check
  // applies; 1e308 + 4 is 1e308 and the window would be empty. (Found by the
  // property tests of the wasm API on a damaged MP4 read as raw H.264.)
  for (double start : {1e308, 1e17}) {
    INFO(start);
    FileByteSource src(media("NVIDIA__VideoProcessingFramework/test_res_change.h264"));
    ProbeOptions o;
    o.allow_low_res = true;
    o.start = start;
    auto r = probe(src, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    INFO(r.error().message);
    CHECK(r.error().message.find("is empty") != std::string::npos);
    CHECK(r.error().message.size() < 200);
  }
}
