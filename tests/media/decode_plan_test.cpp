// Decode plans on the real fixtures: the packets a WebCodecs decoder gets and
// the frames the rule will keep must be the ones the wasm sampler keeps, and
// converting a picture's planes gives the converter's own RGB.
#include <catch.hpp>

#include <cmath>
#include <cstring>

#include "media/decode_plan.h"
#include "media/decoder_feed.h"
#include "media/frame_converter.h"
#include "media/frame_sampler.h"
#include "media/media_input.h"
#include "shared_paths.h"

using namespace charid;

namespace {

SampleOptions low_res(double start = 0.0) {
  SampleOptions o;
  o.allow_low_res = true;
  o.start = start;
  return o;
}

// The plan's expected frames against what sample_frames really keeps.
void check_same_frames(const std::string& rel, double start = 0.0) {
  INFO(rel << " from " << start << " s");
  FileByteSource a(test::media(rel)), b(test::media(rel));
  auto plan = plan_decode(a, low_res(start));
  REQUIRE(plan.ok());
  auto sampled = sample_frames(b, low_res(start));
  REQUIRE(sampled.ok());
  const DecodePlan& p = plan.value();
  CHECK(p.window.start == sampled.value().window.start);
  CHECK(p.window.end == Approx(sampled.value().window.end).margin(1e-9));
  REQUIRE(p.expected_us.size() == sampled.value().frames.size());
  for (size_t i = 0; i < p.expected_us.size(); ++i) {
    CHECK(p.expected_us[i] / 1e6 == Approx(sampled.value().frames[i].timestamp).margin(1e-6));
  }
  REQUIRE_FALSE(p.packets.empty());
  CHECK(p.packets.front().key);
  CHECK(static_cast<int>(p.packets.size()) <= p.packets_in_window);
}

}  // namespace

TEST_CASE("the plan keeps the frames the wasm sampler keeps, codec by codec") {
  check_same_frames("Vanilagy__mediabunny/video.mp4");            // H.264 High, 1080p
  check_same_frames("Vanilagy__mediabunny/video.mp4", 0.7);       // from a seek
  check_same_frames("Yahweasel__libav.js/bbb_bitrate.webm", 12);  // VP9
  check_same_frames("pytorch__torchcodec/av1_video.mkv");         // AV1 in Matroska
  check_same_frames("vidyesh95__qatoto-frontend/Sintel_1080_10s_1MB.mp4", 3);  // AV1 in MP4
  check_same_frames("Vanilagy__mediabunny/rotate-buck-bunny.mp4");
  check_same_frames("Vanilagy__mediabunny/cursed-vfr.mp4", 2);    // variable frame rate
  check_same_frames("shaka-project__shaka-player/hls-ts-b-frames_1.ts");  // annex-B, B-frames
  check_same_frames("Vanilagy__mediabunny/annex-b.mp4", 5);
  check_same_frames("Zulko__moviepy/no_duration.webm");           // no duration in the header
  check_same_frames("Vanilagy__mediabunny/edts.mp4", 1);          // an edit list
}

TEST_CASE("the plan stops at the window and leaves non-reference packets out") {
  FileByteSource src(test::media("Vanilagy__mediabunny/video.mp4"));
  auto plan = plan_decode(src, low_res());
  REQUIRE(plan.ok());
  const DecodePlan& p = plan.value();
  CHECK(p.targets.size() == 16);
  CHECK(p.targets.front() == Approx(0.125));
  CHECK(p.config.codec == "avc1.640028");
  // 4 s at 25 fps is 100 frames; a few past the window at most.
  CHECK(p.packets_in_window <= 104);
  CHECK(p.packets_in_window >= 98);
  if (p.skipped_nonref) CHECK(static_cast<int>(p.packets.size()) < p.packets_in_window);
  int64_t bytes = 0;
  for (const auto& pk : p.packets) bytes += static_cast<int64_t>(pk.data.size());
  CHECK(bytes == p.packet_bytes);
  for (size_t i = 1; i < p.expected_us.size(); ++i) CHECK(p.expected_us[i] > p.expected_us[i - 1]);
}

TEST_CASE("the plan refuses what the sampler refuses, with the same codes") {
  FileByteSource low(test::media("Yahweasel__libav.js/bbb_bitrate.webm"));
  auto r = plan_decode(low, SampleOptions{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::resolution_too_low);
  FileByteSource cenc(test::media("sitkevij__test-media/short-cenc.mp4"));
  auto e = plan_decode(cenc, low_res());
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ErrorCode::encrypted_input);
  FileByteSource gif(test::media("intel-iot-devkit__sample-videos/head-pose-face-detection-male.gif"));
  auto g = plan_decode(gif, low_res());
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().code == ErrorCode::unsupported_codec);
  SampleOptions bad = low_res();
  bad.count = 0;
  FileByteSource any(test::media("Vanilagy__mediabunny/video.mp4"));
  CHECK(plan_decode(any, bad).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("pick_nearest_frames: nearest per target, earlier on a tie, repeats dropped") {
  const std::vector<double> targets = {0.1, 0.3, 0.5, 0.7};
  const std::vector<double> times = {0.0, 0.2, 0.25, 0.9};
  auto picks = pick_nearest_frames(times, targets);
  // 0.1: 0.0 and 0.2 tie -> 0.0; 0.3: 0.25; 0.5: 0.25 again (dropped); 0.7: 0.9.
  REQUIRE(picks.size() == 3);
  CHECK(picks[0].frame == 0);
  CHECK(picks[1].frame == 2);
  CHECK(picks[2].frame == 3);
  CHECK(picks[2].target == 3);
  CHECK(pick_nearest_frames({}, targets).empty());
}

TEST_CASE("planes from outside FFmpeg convert to the same RGB as the decoded frame") {
  FileByteSource src(test::media("Vanilagy__mediabunny/video.mp4"));  // yuvj420p, bt470bg
  auto input = MediaInput::open(src);
  REQUIRE(input.ok());
  MediaInput& in = *input.value();
  auto dec = in.open_decoder(false);
  REQUIRE(dec.ok());
  av::PacketPtr pkt = av::make_packet();
  av::FramePtr scratch = av::make_frame();
  av::FramePtr first = av::make_frame();
  bool got = false;
  while (!got && av_read_frame(in.format(), pkt.get()) >= 0) {
    if (pkt->stream_index == in.stream_index()) {
      feed_decoder(dec.value().get(), pkt.get(), scratch.get(), [&](AVFrame* f) {
        if (!got) av_frame_ref(first.get(), f);
        got = true;
      });
    }
    av_packet_unref(pkt.get());
  }
  REQUIRE(got);
  FrameConverter direct(0, AVRational{1, 1}, 512);
  auto want = direct.convert(first.get());
  REQUIRE(want.ok());

  PlanarPicture pic;
  pic.format = PlaneFormat::i420;
  pic.width = first->width;
  pic.height = first->height;
  for (int i = 0; i < 3; ++i) {
    pic.planes[i] = first->data[i];
    pic.strides[i] = first->linesize[i];
  }
  pic.matrix = "bt470bg";
  pic.full_range = true;
  FrameConverter planes(0, AVRational{1, 1}, 512);
  auto got_rgb = planes.convert(pic);
  REQUIRE(got_rgb.ok());
  CHECK(got_rgb.value().width == want.value().width);
  CHECK(got_rgb.value().pixels == want.value().pixels);

  // NV12 (interleaved chroma) of the same picture: the same colours within rounding.
  const int cw = (pic.width + 1) / 2, ch = (pic.height + 1) / 2;
  std::vector<uint8_t> uv(static_cast<size_t>(cw) * 2 * ch);
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x) {
      uv[(y * cw + x) * 2] = first->data[1][y * first->linesize[1] + x];
      uv[(y * cw + x) * 2 + 1] = first->data[2][y * first->linesize[2] + x];
    }
  }
  PlanarPicture nv12 = pic;
  nv12.format = PlaneFormat::nv12;
  nv12.planes[1] = uv.data();
  nv12.strides[1] = cw * 2;
  nv12.planes[2] = nullptr;
  FrameConverter from_nv12(0, AVRational{1, 1}, 512);
  auto nv = from_nv12.convert(nv12);
  REQUIRE(nv.ok());
  double diff = 0;
  for (size_t i = 0; i < nv.value().pixels.size(); ++i) {
    diff += std::abs(nv.value().pixels[i] - want.value().pixels[i]);
  }
  CHECK(diff / nv.value().pixels.size() < 1.5);

  PlanarPicture short_stride = pic;
  short_stride.strides[0] = pic.width - 1;
  CHECK(planes.convert(short_stride).error().code == ErrorCode::invalid_argument);
}
