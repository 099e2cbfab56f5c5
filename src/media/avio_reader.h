// Bridges a ByteSource to FFmpeg: an AVIOContext whose read and seek call the
// source, so the demuxer pulls only the bytes it needs.
#pragma once

#include <cstdint>
#include <memory>

#include "media/av_handles.h"
#include "media/byte_source.h"

namespace charid {

// 64 KiB: few calls into JS per second of video, and flat memory whatever the
// file size.
inline constexpr int kAvioBufferSize = 64 * 1024;

class AvioReader {
 public:
  // The ByteSource must outlive the reader. Returns nullptr when out of memory.
  static std::unique_ptr<AvioReader> create(ByteSource& source);

  AVIOContext* context() const { return io_.get(); }
  int64_t bytes_read() const { return bytes_read_; }

 private:
  explicit AvioReader(ByteSource& source) : source_(&source) {}
  static int read_packet(void* opaque, uint8_t* buf, int buf_size);
  static int64_t seek(void* opaque, int64_t offset, int whence);

  ByteSource* source_;
  int64_t position_ = 0;
  int64_t bytes_read_ = 0;
  av::IoContextPtr io_;
};

}  // namespace charid
