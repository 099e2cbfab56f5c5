#include "media/decoder_feed.h"

namespace charid {
namespace {

// A decoder that reports an error for a frame usually goes on with the next
// one; a decoder that reports errors without end must not hold us forever.
constexpr int kMaxErrorsPerDrain = 16;

}  // namespace

int drain_decoder(AVCodecContext* decoder, AVFrame* scratch, const FrameSink& sink) {
  int errors = 0;
  for (;;) {
    const int rc = avcodec_receive_frame(decoder, scratch);
    if (rc == 0) {
      sink(scratch);
      av_frame_unref(scratch);
      continue;
    }
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return errors;
    if (++errors >= kMaxErrorsPerDrain) return errors;
  }
}

int feed_decoder(AVCodecContext* decoder, const AVPacket* packet, AVFrame* scratch,
                 const FrameSink& sink) {
  int errors = 0;
  int sent = avcodec_send_packet(decoder, packet);
  if (sent == AVERROR(EAGAIN)) {
    // Full: FFmpeg guarantees that receiving frames makes room, so take them
    // out and send the same packet again (once is enough by that guarantee).
    errors += drain_decoder(decoder, scratch, sink);
    sent = avcodec_send_packet(decoder, packet);
  }
  // A flush sent twice answers EOF; that is not damage in the stream.
  if (sent < 0 && !(packet == nullptr && sent == AVERROR_EOF)) ++errors;
  errors += drain_decoder(decoder, scratch, sink);
  return errors;
}

}  // namespace charid
