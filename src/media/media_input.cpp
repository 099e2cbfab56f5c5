#include "media/media_input.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace charid {
namespace {

// The codecs the wasm build decodes. The native build (Debian's FFmpeg) could
// decode more; keeping one list makes native and wasm agree on every input.
bool is_supported_codec(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_H264:
    case AV_CODEC_ID_HEVC:
    case AV_CODEC_ID_VP8:
    case AV_CODEC_ID_VP9:
    case AV_CODEC_ID_AV1:
    case AV_CODEC_ID_MPEG4:
    case AV_CODEC_ID_GIF:
      return true;
    default:
      return false;
  }
}

// Seconds for a person to read: "125", "30.041", "0.5" (never "1.2e+02");
// only absurd values (over 30 years) keep the exponent form.
std::string format_seconds(double s) {
  char buf[48];
  if (!(std::fabs(s) < 1e9)) {
    std::snprintf(buf, sizeof buf, "%.3g", s);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.3f", s);
  std::string text = buf;
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

// Clockwise degrees that make the picture upright, from the display matrix.
int rotation_of(const AVStream* st) {
  const uint8_t* matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (!matrix) return 0;
  double theta = -av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (std::isnan(theta)) return 0;
  int degrees = static_cast<int>(std::lround(theta / 90.0)) * 90;
  return ((degrees % 360) + 360) % 360;
}

bool packet_is_encrypted(const AVPacket* pkt) {
  return av_packet_get_side_data(pkt, AV_PKT_DATA_ENCRYPTION_INFO, nullptr) != nullptr;
}

const AVCodec* find_decoder(AVCodecID id) {
  // FFmpeg 5.1's own AV1 decoder only drives hardware; dav1d decodes in software.
  if (id == AV_CODEC_ID_AV1) {
    if (const AVCodec* dav1d = avcodec_find_decoder_by_name("libdav1d")) return dav1d;
  }
  return avcodec_find_decoder(id);
}

// The demux core (charid-core-demux) is built with no decoder at all: the
// browser decodes with WebCodecs, so probe and decode plans must still work.
// A build with decoders keeps refusing, at probe time, a codec it cannot decode.
bool build_has_decoders() {
  static const bool has = [] {
    void* it = nullptr;
    while (const AVCodec* c = av_codec_iterate(&it)) {
      if (av_codec_is_decoder(c)) return true;
    }
    return false;
  }();
  return has;
}

Error unsupported_codec(const std::string& codec) {
  return make_error(ErrorCode::unsupported_codec,
                    "This video uses the " + codec +
                        " codec, which charid cannot decode. Convert it to H.264, HEVC, VP8, "
                        "VP9 or AV1 (for example an MP4 exported from any editor) and try "
                        "again.");
}

Error unreadable(const std::string& why) {
  return make_error(ErrorCode::unreadable_input,
                    why + " Check that the file is a complete video (MP4, MOV, WebM, MKV, "
                          "MPEG-TS, IVF or GIF) and try again, or export it again from the "
                          "original.");
}

// FFmpeg's own log lines are noise to a user: every problem that matters is
// reported as a typed error or a warning. CHARID_FFMPEG_LOG=1 shows them.
void quiet_ffmpeg_log() {
  static const bool once = [] {
    const char* env = std::getenv("CHARID_FFMPEG_LOG");
    av_log_set_level(env && *env == '1' ? AV_LOG_WARNING : AV_LOG_QUIET);
    return true;
  }();
  (void)once;
}

}  // namespace

double MediaInput::to_seconds(int64_t pts) const {
  return (pts - start_pts_) * av_q2d(stream()->time_base);
}

int64_t MediaInput::to_pts(double seconds) const {
  return start_pts_ + static_cast<int64_t>(std::llround(seconds / av_q2d(stream()->time_base)));
}

Result<std::unique_ptr<MediaInput>> MediaInput::open(ByteSource& source) {
  quiet_ffmpeg_log();
  const int64_t size = source.size();
  if (size < 0) return unreadable("The file could not be opened.");
  if (size == 0) return unreadable("The file is empty.");
  if (size > kMaxInputBytes) {
    return make_error(ErrorCode::input_too_large,
                      "This file is " + std::to_string(size >> 20) +
                          " MiB; the limit is 4 GiB. Trim the video to a few seconds around "
                          "the character and try again.");
  }

  std::unique_ptr<MediaInput> input(new MediaInput());
  input->info_.bytes = size;
  input->reader_ = AvioReader::create(source);
  if (!input->reader_) return unreadable("Out of memory while opening the file.");

  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return unreadable("Out of memory while opening the file.");
  raw->pb = input->reader_->context();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  // On failure avformat_open_input frees the context itself.
  if (avformat_open_input(&raw, nullptr, nullptr, nullptr) < 0) {
    return unreadable("This is not a video file charid can read, or it is damaged.");
  }
  input->format_.reset(raw);

  Result<bool> info = input->read_stream_info();
  if (!info) return info.error();
  return input;
}

Result<bool> MediaInput::read_stream_info() {
  AVFormatContext* fmt = format_.get();
  if (avformat_find_stream_info(fmt, nullptr) < 0 || fmt->nb_streams == 0) {
    return unreadable("The file's structure is damaged or cut off.");
  }

  // The video stream with the most pixels (cover art is not a video).
  int best = -1;
  int64_t best_pixels = -1;
  bool has_audio = false, has_any_video = false;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream* st = fmt->streams[i];
    const AVCodecParameters* par = st->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_AUDIO) has_audio = true;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO) continue;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
    has_any_video = true;
    int64_t pixels = int64_t{par->width} * par->height;
    // Prefer a decodable codec over a larger undecodable one.
    if (is_supported_codec(par->codec_id)) pixels += int64_t{1} << 40;
    if (pixels > best_pixels) {
      best_pixels = pixels;
      best = static_cast<int>(i);
    }
  }
  if (!has_any_video) {
    return make_error(ErrorCode::no_video_stream,
                      has_audio ? "This file has sound but no picture. Choose a video file."
                                : "This file has no video in it. Choose a video file.");
  }
  stream_index_ = best;
  AVStream* st = fmt->streams[best];
  AVCodecParameters* par = st->codecpar;

  // Encrypted content (CENC / cbcs). The init info sits on the stream when the
  // file carries a pssh box; otherwise the first packet's side data tells.
  bool encrypted = false;
  for (unsigned i = 0; i < fmt->nb_streams && !encrypted; ++i) {
    encrypted = av_stream_get_side_data(fmt->streams[i], AV_PKT_DATA_ENCRYPTION_INIT_INFO,
                                        nullptr) != nullptr;
  }
  if (!encrypted && std::string(fmt->iformat->name).find("mp4") != std::string::npos) {
    av::PacketPtr pkt = av::make_packet();
    for (int tries = 0; tries < 64 && av_read_frame(fmt, pkt.get()) >= 0; ++tries) {
      bool mine = pkt->stream_index == stream_index_;
      encrypted = packet_is_encrypted(pkt.get());
      av_packet_unref(pkt.get());
      if (mine || encrypted) break;
    }
    at_start_ = false;
    rewind();
  }
  if (encrypted) {
    return make_error(ErrorCode::encrypted_input,
                      "This video is encrypted (DRM-protected), so its pictures cannot be "
                      "read. Use an unprotected copy of the clip.");
  }

  const char* codec_name = avcodec_get_name(par->codec_id);
  info_.codec = (par->codec_id == AV_CODEC_ID_NONE) ? "unknown" : codec_name;
  if (!is_supported_codec(par->codec_id) ||
      (build_has_decoders() && !find_decoder(par->codec_id))) {
    return unsupported_codec(info_.codec);
  }
  if (par->width <= 0 || par->height <= 0) {
    return unreadable("The video stream has no picture size; the file may be damaged.");
  }

  info_.container = fmt->iformat->name;
  info_.width = par->width;
  info_.height = par->height;
  info_.has_audio = has_audio;
  info_.rotation = rotation_of(st);
  if (par->format >= 0) {
    auto pix = static_cast<AVPixelFormat>(par->format);
    if (const char* name = av_get_pix_fmt_name(pix)) info_.pixel_format = name;
    if (const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(pix)) {
      info_.bit_depth = desc->comp[0].depth;
    }
  }

  // Square pixels: stretch the axis that is short, never shrink one.
  AVRational sar = av_guess_sample_aspect_ratio(fmt, st, nullptr);
  int dw = par->width, dh = par->height;
  if (sar.num > 0 && sar.den > 0) {
    double r = av_q2d(sar);
    if (r > 1.0) dw = static_cast<int>(std::lround(par->width * r));
    if (r < 1.0) dh = static_cast<int>(std::lround(par->height / r));
  }
  if (info_.rotation == 90 || info_.rotation == 270) std::swap(dw, dh);
  info_.display_width = dw;
  info_.display_height = dh;

  start_pts_ = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    info_.duration = st->duration * av_q2d(st->time_base);
  } else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) {
    info_.duration = fmt->duration / static_cast<double>(AV_TIME_BASE);
  }
  AVRational rate = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                             : st->r_frame_rate;
  if (rate.num > 0 && rate.den > 0 && av_q2d(rate) < 1000.0) info_.fps = av_q2d(rate);
  return true;
}

void MediaInput::rewind() {
  if (at_start_) return;
  avformat_seek_file(format_.get(), -1, INT64_MIN, 0, 0, AVSEEK_FLAG_BACKWARD);
  at_start_ = true;
}

Result<av::CodecContextPtr> MediaInput::open_decoder(bool skip_nonref) const {
  const AVCodec* codec = find_decoder(stream()->codecpar->codec_id);
  if (!codec) return unsupported_codec(info_.codec);
  av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx || avcodec_parameters_to_context(ctx.get(), stream()->codecpar) < 0) {
    return unreadable("The video decoder could not be set up.");
  }
  ctx->pkt_timebase = stream()->time_base;
  ctx->thread_count = 1;  // deterministic, and the wasm core has no threads
  if (skip_nonref) ctx->skip_frame = AVDISCARD_NONREF;
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) {
    return unreadable("The video decoder rejected this stream; the file may be damaged.");
  }
  return ctx;
}

Result<Window> check_limits(const SourceInfo& info, const ProbeOptions& options) {
  if (!std::isfinite(options.start) || options.start < 0.0) {
    return make_error(ErrorCode::invalid_argument, "The start time must be 0 or more seconds.");
  }
  if (!std::isfinite(options.duration) || options.duration <= 0.0) {
    return make_error(ErrorCode::invalid_argument, "The window length must be above 0 seconds.");
  }
  const int short_side = std::min(info.display_width, info.display_height);
  if (!options.allow_low_res && short_side < kMinShortSide) {
    return make_error(ErrorCode::resolution_too_low,
                      "This video is " + std::to_string(info.display_width) + "x" +
                          std::to_string(info.display_height) +
                          "; use one at least 720p (the short side must be 720 pixels or more).");
  }
  if (info.duration && *info.duration < kMinDurationSeconds) {
    return make_error(ErrorCode::too_short, "This video is " + format_seconds(*info.duration) +
                                                " s long; use one at least 1 second long.");
  }
  Window w;
  w.start = options.start;
  w.end = options.start + std::min(options.duration, kMaxWindowSeconds);
  if (info.duration) {
    if (w.start >= *info.duration) {
      return make_error(ErrorCode::invalid_argument,
                        "The start time " + format_seconds(w.start) +
                            " s is past the end of this " + format_seconds(*info.duration) +
                            " s video. Choose an earlier start.");
    }
    w.end = std::min(w.end, *info.duration);
  }
  // With the duration unknown, a start so large that adding the window length
  // changes nothing (1e308) would give an empty window.
  if (!(w.end > w.start)) {
    return make_error(ErrorCode::invalid_argument,
                      "The window from " + format_seconds(w.start) + " s for " +
                          format_seconds(options.duration) +
                          " s is empty. Choose an earlier start or a longer window.");
  }
  return w;
}

}  // namespace charid
