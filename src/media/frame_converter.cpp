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

AVColorSpace colour_space_named(const std::string& name) {
  if (name == "bt709") return AVCOL_SPC_BT709;
  if (name == "bt470bg") return AVCOL_SPC_BT470BG;
  if (name == "smpte170m") return AVCOL_SPC_SMPTE170M;
  if (name == "smpte240m") return AVCOL_SPC_SMPTE240M;
  if (name == "bt2020-ncl") return AVCOL_SPC_BT2020_NCL;
  if (name == "rgb") return AVCOL_SPC_RGB;
  return AVCOL_SPC_UNSPECIFIED;
}

AVPixelFormat pixel_format_of(PlaneFormat f) {
  switch (f) {
    case PlaneFormat::i420: return AV_PIX_FMT_YUV420P;
    case PlaneFormat::i420a: return AV_PIX_FMT_YUVA420P;
    case PlaneFormat::i420p10: return AV_PIX_FMT_YUV420P10LE;
    case PlaneFormat::nv12: return AV_PIX_FMT_NV12;
    case PlaneFormat::rgbx: return AV_PIX_FMT_RGB0;
    case PlaneFormat::bgrx: return AV_PIX_FMT_BGR0;
  }
  return AV_PIX_FMT_NONE;
}

}  // namespace

bool plane_layout(PlaneFormat format, int width, int height, PlaneLayout& layout) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384) return false;
  const int cw = (width + 1) / 2, ch = (height + 1) / 2;
  layout = {};
  switch (format) {
    case PlaneFormat::i420:
    case PlaneFormat::i420a:
    case PlaneFormat::i420p10: {
      const int bytes = format == PlaneFormat::i420p10 ? 2 : 1;
      layout.count = format == PlaneFormat::i420a ? 4 : 3;
      const int rows[4] = {height, ch, ch, height}, row_bytes[4] = {width, cw, cw, width};
      for (int i = 0; i < layout.count; ++i) {
        layout.rows[i] = rows[i];
        layout.row_bytes[i] = row_bytes[i] * bytes;
      }
      return true;
    }
    case PlaneFormat::nv12:
      layout.count = 2;
      layout.rows[0] = height;
      layout.row_bytes[0] = width;
      layout.rows[1] = ch;
      layout.row_bytes[1] = cw * 2;
      return true;
    case PlaneFormat::rgbx:
    case PlaneFormat::bgrx:
      layout.count = 1;
      layout.rows[0] = height;
      layout.row_bytes[0] = width * 4;
      return true;
  }
  return false;
}

Result<RgbImage> FrameConverter::convert(const PlanarPicture& picture) {
  PlaneLayout layout;
  if (!plane_layout(picture.format, picture.width, picture.height, layout)) {
    return make_error(ErrorCode::invalid_argument, "A picture's size is out of range.");
  }
  for (int i = 0; i < layout.count; ++i) {
    if (!picture.planes[i] || picture.strides[i] < layout.row_bytes[i]) {
      return make_error(ErrorCode::invalid_argument, "A picture's planes do not match its format.");
    }
  }
  // A frame header over the caller's planes (no copy, no buffers to free): the converter
  // reads only data, linesize, size, format and the colour fields.
  av::FramePtr frame = av::make_frame();
  if (!frame) return make_error(ErrorCode::unreadable_input, "Out of memory for a frame.");
  frame->width = picture.width;
  frame->height = picture.height;
  frame->format = pixel_format_of(picture.format);
  for (int i = 0; i < layout.count; ++i) {
    frame->data[i] = const_cast<uint8_t*>(picture.planes[i]);
    frame->linesize[i] = picture.strides[i];
  }
  frame->colorspace = colour_space_named(picture.matrix);
  frame->color_range = picture.full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  auto image = convert(frame.get());
  for (auto& d : frame->data) d = nullptr;  // not ours: av_frame_free must not touch them
  return image;
}

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
