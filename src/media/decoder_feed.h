// Feeding an FFmpeg decoder by its send/receive rules, in one place. A packet
// the decoder refuses with EAGAIN (its output is full) is resent once the
// waiting frames are taken out, never dropped: a dropped packet loses its
// picture and, for inter-coded streams, damages the pictures that refer to it.
#pragma once

#include <functional>

#include "media/av_handles.h"

namespace charid {

// Receives each decoded frame; the frame is unreferenced after the call.
using FrameSink = std::function<void(AVFrame*)>;

// Sends `packet` (nullptr: end of stream, flush the delayed frames) and passes
// every frame the decoder then has ready to `sink`. `scratch` is a frame the
// caller owns, reused for each output. Returns how many decode errors the
// decoder reported (a damaged packet, a frame it could not decode).
int feed_decoder(AVCodecContext* decoder, const AVPacket* packet, AVFrame* scratch,
                 const FrameSink& sink);

// Passes every frame the decoder has ready to `sink` without sending anything.
// Returns the decode errors seen while receiving.
int drain_decoder(AVCodecContext* decoder, AVFrame* scratch, const FrameSink& sink);

}  // namespace charid
