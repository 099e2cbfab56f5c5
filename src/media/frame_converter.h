// Turns decoded frames of any pixel format into upright, square-pixel RGB,
// scaled so the short side is at most a given size.
#pragma once

#include <cstdint>
#include <string>

#include "core/image.h"
#include "core/result.h"
#include "media/av_handles.h"

namespace charid {

// A decoded picture that lives outside FFmpeg (the planes a browser's
// VideoFrame.copyTo gave), in one of WebCodecs' pixel formats.
enum class PlaneFormat { i420, i420a, i420p10, nv12, rgbx, bgrx };

struct PlanarPicture {
  PlaneFormat format = PlaneFormat::i420;
  int width = 0;   // visible size of the picture
  int height = 0;
  const uint8_t* planes[4] = {nullptr, nullptr, nullptr, nullptr};
  int strides[4] = {0, 0, 0, 0};
  // Colour matrix as WebCodecs names it (bt709, bt470bg, smpte170m, bt2020-ncl, smpte240m,
  // rgb); empty: unknown, the converter's usual guess applies.
  std::string matrix;
  bool full_range = false;
};

// Planes per format and each plane's rows and bytes per row (the minimum stride), so callers
// can check a buffer before it is read. False for a size no picture can have.
struct PlaneLayout {
  int count = 0;
  int rows[4] = {0, 0, 0, 0};
  int row_bytes[4] = {0, 0, 0, 0};
};
bool plane_layout(PlaneFormat format, int width, int height, PlaneLayout& layout);

class FrameConverter {
 public:
  // rotation: clockwise degrees to apply; stream_sar: the stream's sample
  // aspect ratio, used when a frame carries none.
  FrameConverter(int rotation, AVRational stream_sar, int max_short_side)
      : rotation_(rotation), stream_sar_(stream_sar), max_short_side_(max_short_side) {}

  // The frame's size may change mid-stream; the scaler follows it.
  Result<RgbImage> convert(const AVFrame* frame);
  // The same conversion for planes from outside FFmpeg (one colour rule for every decoder).
  Result<RgbImage> convert(const PlanarPicture& picture);

 private:
  int rotation_;
  AVRational stream_sar_;
  int max_short_side_;
  av::SwsContextPtr sws_;
};

}  // namespace charid
