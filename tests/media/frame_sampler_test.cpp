// sample_frames on real fixture files.
#include <catch.hpp>

#include <algorithm>

#include "media/frame_sampler.h"
#include "shared_paths.h"

using namespace charid;
using charid::test::media;

namespace {
Result<SampleResult> sample_file(const std::string& rel, SampleOptions o = {}) {
  o.allow_low_res = true;
  FileByteSource src(media(rel));
  return sample_frames(src, o);
}
bool has(const std::vector<std::string>& v, const char* s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("16 frames spread evenly over the 4 s window, short side at most 512") {
  auto r = sample_file("Vanilagy__mediabunny/video.mp4");
  REQUIRE(r.ok());
  const auto& frames = r.value().frames;
  REQUIRE(frames.size() == 16);
  for (size_t i = 0; i < frames.size(); ++i) {
    CHECK(frames[i].index == static_cast<int>(i));
    double target = (i + 0.5) * 4.0 / 16;
    CHECK(frames[i].timestamp == Approx(target).margin(0.08));  // within two frames at 25 fps
    CHECK(frames[i].image.height == 512);
    CHECK(frames[i].image.width == 910);
    CHECK(frames[i].image.pixels.size() == 910u * 512 * 3);
  }
  // Decoding stops at the window: 5 s of 25 fps is 125 frames.
  CHECK(r.value().frames_decoded < 110);
}

TEST_CASE("frames are upright and square-pixel") {
  auto rotated = sample_file("Vanilagy__mediabunny/rotate-buck-bunny.mp4");
  REQUIRE(rotated.ok());
  CHECK(rotated.value().frames[0].image.width == 512);
  CHECK(rotated.value().frames[0].image.height == 910);

  auto sar = sample_file("Vanilagy__mediabunny/sar_2x1.mp4");
  REQUIRE(sar.ok());
  // 640x360 at 2:1 pixels is 1280x360 on screen; short side 360 <= 512 stays.
  CHECK(sar.value().frames[0].image.width == 1280);
  CHECK(sar.value().frames[0].image.height == 360);
}

TEST_CASE("every codec and container decodes to real pictures") {
  const char* files[] = {
      "Vanilagy__mediabunny/video-h265.mp4",   "Vanilagy__mediabunny/hevc.ts",
      "Eyevinn__mp4ff/vp8.ivf",                "Eyevinn__mp4ff/vp9.ivf",
      "Eyevinn__mp4ff/av1.ivf",                "pytorch__torchcodec/av1_video.mkv",
      "vidyesh95__qatoto-frontend/Sintel_1080_10s_1MB.mp4",
      "pytorch__torchcodec/h264_10bits.mp4",   "pytorch__torchcodec/h265_10bits.mp4",
      "OpenShot__libopenshot/test.mp4",        "Vanilagy__mediabunny/transparency.webm",
      "intel-iot-devkit__sample-videos/head-pose-face-detection-male.gif",
      "shaka-project__shaka-player/hls-ts-b-frames_1.ts",
      "Vanilagy__mediabunny/edts.mp4",
  };
  for (const char* f : files) {
    INFO(f);
    auto r = sample_file(f);
    REQUIRE(r.ok());
    CHECK(r.value().frames.size() >= 10);
    CHECK(r.value().decode_errors == 0);
  }
}

TEST_CASE("a start time moves the window") {
  SampleOptions o;
  o.start = 12.0;
  o.count = 4;
  auto r = sample_file("Zulko__moviepy/big_buck_bunny_0_30.webm", o);
  REQUIRE(r.ok());
  REQUIRE(r.value().frames.size() == 4);
  CHECK(r.value().frames.front().timestamp >= 12.0);
  CHECK(r.value().frames.back().timestamp <= 16.0);
}

TEST_CASE("variable frame rate: timestamps rise and stay in the window") {
  auto r = sample_file("Vanilagy__mediabunny/cursed-vfr.mp4");
  REQUIRE(r.ok());
  const auto& frames = r.value().frames;
  REQUIRE(frames.size() >= 8);
  for (size_t i = 1; i < frames.size(); ++i) CHECK(frames[i].timestamp > frames[i - 1].timestamp);
  CHECK(frames.back().timestamp <= 4.0);
}

TEST_CASE("unknown duration and a mid-stream resolution change") {
  auto nd = sample_file("Zulko__moviepy/no_duration.webm");
  REQUIRE(nd.ok());
  CHECK(nd.value().frames.size() == 16);

  auto raw = sample_file("NVIDIA__VideoProcessingFramework/test_res_change.h264");
  REQUIRE(raw.ok());
  CHECK(raw.value().frames.size() == 16);
  CHECK(raw.value().window.end < 4.0);  // the stream is 3.2 s long
}

TEST_CASE("a stream starting on a non-keyframe samples from its first keyframe") {
  auto r = sample_file("Vanilagy__mediabunny/no-initial-keyframe.ts");
  REQUIRE(r.ok());
  CHECK(r.value().frames.front().timestamp > 2.0);
}

TEST_CASE("quality warnings come from the pictures") {
  auto white = sample_file("sitkevij__test-media/white.mp4");
  REQUIRE(white.ok());
  CHECK(has(white.value().warnings, "too_bright"));
  CHECK(has(white.value().warnings, "blurry"));

  auto cuts = sample_file("Zulko__moviepy/big_buck_bunny_0_30.webm");
  REQUIRE(cuts.ok());
  CHECK(has(cuts.value().warnings, "scene_cut"));

  auto clean = sample_file("bramp__ffmpeg-cli-wrapper/big_buck_bunny_720p_1mb.mp4");
  REQUIRE(clean.ok());
  CHECK(clean.value().warnings.empty());
}

TEST_CASE("damaged and encrypted input is rejected, never crashes") {
  auto truncated = sample_file("Vanilagy__mediabunny/annex-b.mp4");
  REQUIRE(truncated.ok());  // the first frames survive the cut
  CHECK(has(truncated.value().warnings, "decode_errors"));

  auto enc = sample_file("Eyevinn__mp4ff/cbcs.mp4");
  REQUIRE_FALSE(enc.ok());
  CHECK(enc.error().code == ErrorCode::encrypted_input);

  SampleOptions strict;
  FileByteSource tiny(media("Zulko__moviepy/bitmap.mp4"));
  auto small = sample_frames(tiny, strict);
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().code == ErrorCode::resolution_too_low);
}

TEST_CASE("bad options are caller errors") {
  SampleOptions o;
  o.count = 0;
  auto r = sample_file("Eyevinn__mp4ff/vp9.ivf", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("progress only rises, also when the window is decoded a second time") {
  // A raw H.264 stream has no duration up front: the first pass runs to its
  // real end (3.2 s) and the window is then sampled again over what is there.
  SampleOptions o;
  o.allow_low_res = true;
  FileByteSource src(media("NVIDIA__VideoProcessingFramework/test_res_change.h264"));
  std::vector<std::pair<int, int>> calls;
  auto r = sample_frames(src, o, [&calls](int done, int total) { calls.emplace_back(done, total); });
  REQUIRE(r.ok());
  REQUIRE(r.value().window.end < 4.0);  // the second pass really ran
  REQUIRE_FALSE(calls.empty());
  for (size_t i = 1; i < calls.size(); ++i) {
    INFO("call " << i << ": " << calls[i - 1].first << " then " << calls[i].first);
    CHECK(calls[i].first > calls[i - 1].first);
  }
  CHECK(calls.back().first == static_cast<int>(r.value().frames.size()));
  CHECK(calls.back().second == 16);
}

TEST_CASE("frames that would not fit the memory limit are refused before decoding") {
  // 1080p at full size: 200 frames of 1920x1080 RGB would need about 1.2 GiB.
  SampleOptions o;
  o.count = 200;
  o.max_short_side = 4096;
  auto r = sample_file("Vanilagy__mediabunny/video.mp4", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().message.find("200 frames of 1920x1080") != std::string::npos);

  o.count = 256;  // the most frames, at the default size, still fit
  o.max_short_side = 512;
  auto most = sample_file("Eyevinn__mp4ff/vp9.ivf", o);
  REQUIRE(most.ok());
}
