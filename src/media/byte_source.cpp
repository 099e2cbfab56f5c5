#include "media/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/types.h>

namespace charid {

FileByteSource::FileByteSource(const std::string& path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    open_error_ = std::strerror(errno);
    return;
  }
  if (fseeko(file_, 0, SEEK_END) == 0) {
    off_t end = ftello(file_);
    if (end >= 0) size_ = end;
  }
  if (size_ < 0) open_error_ = "cannot determine the file size";
}

FileByteSource::~FileByteSource() {
  if (file_) std::fclose(file_);
}

int64_t FileByteSource::read(int64_t offset, uint8_t* dst, int64_t length) {
  if (!file_ || offset < 0 || length < 0) return -1;
  if (offset >= size_) return 0;
  if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) return -1;
  size_t got = std::fread(dst, 1, static_cast<size_t>(length), file_);
  if (got == 0 && std::ferror(file_)) return -1;
  return static_cast<int64_t>(got);
}

int64_t MemoryByteSource::read(int64_t offset, uint8_t* dst, int64_t length) {
  if (offset < 0 || length < 0) return -1;
  if (static_cast<uint64_t>(offset) >= size_) return 0;
  size_t n = std::min<size_t>(static_cast<size_t>(length), size_ - static_cast<size_t>(offset));
  std::memcpy(dst, data_ + offset, n);
  return static_cast<int64_t>(n);
}

}  // namespace charid
