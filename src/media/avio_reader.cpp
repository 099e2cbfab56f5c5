#include "media/avio_reader.h"

#include <algorithm>

namespace charid {

std::unique_ptr<AvioReader> AvioReader::create(ByteSource& source) {
  std::unique_ptr<AvioReader> reader(new AvioReader(source));
  auto* buffer = static_cast<uint8_t*>(av_malloc(kAvioBufferSize));
  if (!buffer) return nullptr;
  AVIOContext* io = avio_alloc_context(buffer, kAvioBufferSize, /*write_flag=*/0, reader.get(),
                                       &AvioReader::read_packet, nullptr, &AvioReader::seek);
  if (!io) {
    av_free(buffer);
    return nullptr;
  }
  reader->io_.reset(io);
  return reader;
}

int AvioReader::read_packet(void* opaque, uint8_t* buf, int buf_size) {
  auto* self = static_cast<AvioReader*>(opaque);
  // Never past the size the source declared, and never more than asked: a
  // source that keeps answering (a JS reader that never says 0) would
  // otherwise feed the demuxer without end, and a count above buf_size would
  // make FFmpeg read memory that was never filled.
  const int64_t size = self->source_->size();
  int64_t want = buf_size;
  if (size >= 0) {
    if (self->position_ >= size) return AVERROR_EOF;
    want = std::min<int64_t>(want, size - self->position_);
  }
  int64_t got = self->source_->read(self->position_, buf, want);
  if (got < 0 || got > want) return AVERROR(EIO);
  if (got == 0) return AVERROR_EOF;
  self->position_ += got;
  self->bytes_read_ += got;
  return static_cast<int>(got);
}

int64_t AvioReader::seek(void* opaque, int64_t offset, int whence) {
  auto* self = static_cast<AvioReader*>(opaque);
  const int64_t size = self->source_->size();
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return size >= 0 ? size : AVERROR(ENOSYS);
    case SEEK_SET: self->position_ = offset; break;
    case SEEK_CUR: self->position_ += offset; break;
    case SEEK_END:
      if (size < 0) return AVERROR(ENOSYS);
      self->position_ = size + offset;
      break;
    default: return AVERROR(EINVAL);
  }
  if (self->position_ < 0) self->position_ = 0;
  return self->position_;
}

}  // namespace charid
