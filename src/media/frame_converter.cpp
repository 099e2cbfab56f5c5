#include "media/frame_converter.h"

#include <algorithm>
#include <cmath>

#include "core/image_ops.h"

namespace charid {
namespace {

// Colour matrix of the source: what the stream says, else the usual guess
// (BT.709 for HD, BT.601 for SD).
int colour_matrix(const AVFrame* frame) {
  switch (frame->colorspace) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M: return SWS_CS_ITU601;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    default: return frame->height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
  }
}

}  // namespace

Result<RgbImage> FrameConverter::convert(const AVFrame* frame) {
  const int w = frame->width, h = frame->height;
  if (w <= 0 || h <= 0) return make_error(ErrorCode::unreadable_input, "A frame had no size.");

  AVRational sar = frame->sample_aspect_ratio.num > 0 ? frame->sample_aspect_ratio : stream_sar_;
  double dw = w, dh = h;
  if (sar.num > 0 && sar.den > 0) {
    double r = av_q2d(sar);
    if (r > 1.0) dw = w * r;
    if (r < 1.0) dh = h / r;
  }
  double scale = std::min(1.0, max_short_side_ / std::min(dw, dh));
  int out_w = std::max(1, static_cast<int>(std::lround(dw * scale)));
  int out_h = std::max(1, static_cast<int>(std::lround(dh * scale)));

  auto format = static_cast<AVPixelFormat>(frame->format);
  SwsContext* ctx = sws_getCachedContext(sws_.release(), w, h, format, out_w, out_h,
                                         AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND,
                                         nullptr, nullptr, nullptr);
  sws_.reset(ctx);
  if (!ctx) {
    return make_error(ErrorCode::unreadable_input, "A frame's pixel format cannot be converted.");
  }
  const int matrix = colour_matrix(frame);
  const int full_range = frame->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
  // Fails harmlessly for RGB sources (GIF), which need no matrix.
  sws_setColorspaceDetails(ctx, sws_getCoefficients(matrix), full_range,
                           sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);

  RgbImage image(out_w, out_h);
  uint8_t* dst[4] = {image.pixels.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {static_cast<int>(image.stride()), 0, 0, 0};
  if (sws_scale(ctx, frame->data, frame->linesize, 0, h, dst, dst_stride) != out_h) {
    return make_error(ErrorCode::unreadable_input, "A frame could not be converted to RGB.");
  }
  if (rotation_ != 0) image = rotate_clockwise(image, rotation_);
  return image;
}

}  // namespace charid
