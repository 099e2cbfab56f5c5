// An opened, validated video input: the demuxer over a ByteSource, the chosen
// video stream and what we know about it. Validation is where the public
// error codes for bad input are decided (see core/error.h).
#pragma once

#include <memory>

#include "core/result.h"
#include "media/av_handles.h"
#include "media/avio_reader.h"
#include "media/media_types.h"

namespace charid {

class MediaInput {
 public:
  // Opens the container and checks, in this order: size (empty, over 4 GiB),
  // container, a video stream, encryption, codec (a build without any decoder,
  // the demux core, only checks the codec is one charid supports). Resolution and duration are
  // checked by the caller against its options (check_limits).
  static Result<std::unique_ptr<MediaInput>> open(ByteSource& source);

  const SourceInfo& info() const { return info_; }
  AVFormatContext* format() const { return format_.get(); }
  AVStream* stream() const { return format_->streams[stream_index_]; }
  int stream_index() const { return stream_index_; }
  // Stream timestamp that counts as t = 0 (the stream's start time).
  int64_t start_pts() const { return start_pts_; }
  double to_seconds(int64_t pts) const;
  int64_t to_pts(double seconds) const;

  // Back to the first packet, only when packets were already read: some
  // streams (raw H.264) cannot seek, and need not when nothing was read.
  void rewind();
  void mark_read() { at_start_ = false; }

  // A single-threaded decoder for the stream (same results native and wasm);
  // unsupported_codec when this build has no decoder for it.
  Result<av::CodecContextPtr> open_decoder(bool skip_nonref) const;

 private:
  MediaInput() = default;
  Result<bool> read_stream_info();

  // Declaration order matters: the format context is closed before the reader
  // whose AVIOContext it uses.
  std::unique_ptr<AvioReader> reader_;
  av::FormatContextPtr format_;
  int stream_index_ = -1;
  int64_t start_pts_ = 0;
  bool at_start_ = true;
  SourceInfo info_;
};

// Works out the sampling window from the options and the known duration, and
// applies the product's limits (720p minimum unless allowed, 1 s minimum).
Result<Window> check_limits(const SourceInfo& info, const ProbeOptions& options);

}  // namespace charid
