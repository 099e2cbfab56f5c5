// feed_decoder with a real decoder on real files. The decoder is first filled
// with plain sends until it refuses a packet (EAGAIN, as a decoder with
// delayed output does); that packet must be resent, not lost.
#include <catch.hpp>

#include "media/decoder_feed.h"
#include "media/media_input.h"
#include "shared_paths.h"

using namespace charid;

namespace {

struct Decoded {
  int frames = 0;
  int errors = 0;
  int refused = 0;  // packets the decoder answered EAGAIN to before feed_decoder took over
};

// Every packet of the video stream through feed_decoder; with `fill_first`,
// packets go in with avcodec_send_packet and nothing is taken out until the
// decoder says it is full, and the refused packet goes to feed_decoder.
Decoded decode_all(const std::string& rel, bool fill_first) {
  FileByteSource src(test::media(rel));
  auto input_or = MediaInput::open(src);
  REQUIRE(input_or.ok());
  MediaInput& input = *input_or.value();
  auto decoder_or = input.open_decoder(/*skip_nonref=*/false);
  REQUIRE(decoder_or.ok());
  AVCodecContext* decoder = decoder_or.value().get();

  Decoded out;
  FrameSink count = [&out](AVFrame*) { ++out.frames; };
  av::PacketPtr packet = av::make_packet();
  av::FramePtr scratch = av::make_frame();
  bool full = !fill_first;
  while (av_read_frame(input.format(), packet.get()) >= 0) {
    if (packet->stream_index == input.stream_index()) {
      if (!full) {
        const int rc = avcodec_send_packet(decoder, packet.get());
        if (rc == AVERROR(EAGAIN)) {
          full = true;
          ++out.refused;
        } else {
          REQUIRE(rc == 0);
        }
      }
      if (full) out.errors += feed_decoder(decoder, packet.get(), scratch.get(), count);
    }
    av_packet_unref(packet.get());
  }
  out.errors += feed_decoder(decoder, nullptr, scratch.get(), count);
  return out;
}

}  // namespace

TEST_CASE("a packet the decoder refuses (EAGAIN) is resent, so no picture is lost") {
  // H.264 with B-frames, VP9 and AV1 (dav1d): three decoders with different buffering.
  const char* files[] = {
      "bramp__ffmpeg-cli-wrapper/big_buck_bunny_720p_1mb.mp4",
      "Eyevinn__mp4ff/vp9.ivf",
      "Eyevinn__mp4ff/av1.ivf",
  };
  for (const char* f : files) {
    INFO(f);
    const Decoded plain = decode_all(f, /*fill_first=*/false);
    REQUIRE(plain.frames > 10);
    CHECK(plain.errors == 0);
    const Decoded filled = decode_all(f, /*fill_first=*/true);
    CHECK(filled.refused == 1);  // the EAGAIN path was really taken
    CHECK(filled.frames == plain.frames);
    CHECK(filled.errors == 0);
  }
}
