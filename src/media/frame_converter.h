// Turns decoded frames of any pixel format into upright, square-pixel RGB,
// scaled so the short side is at most a given size.
#pragma once

#include "core/image.h"
#include "core/result.h"
#include "media/av_handles.h"

namespace charid {

class FrameConverter {
 public:
  // rotation: clockwise degrees to apply; stream_sar: the stream's sample
  // aspect ratio, used when a frame carries none.
  FrameConverter(int rotation, AVRational stream_sar, int max_short_side)
      : rotation_(rotation), stream_sar_(stream_sar), max_short_side_(max_short_side) {}

  // The frame's size may change mid-stream; the scaler follows it.
  Result<RgbImage> convert(const AVFrame* frame);

 private:
  int rotation_;
  AVRational stream_sar_;
  int max_short_side_;
  av::SwsContextPtr sws_;
};

}  // namespace charid
