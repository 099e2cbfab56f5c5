// ByteSource: where the bytes of a video come from. The core only ever asks
// for a size and for bytes at an offset, so no caller has to hold the whole
// file in memory: a browser File is read slice by slice, a local file with
// pread, a URL with HTTP range requests (those two live on the JS side).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace charid {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Total size in bytes, or -1 when unknown.
  virtual int64_t size() const = 0;
  // Copies up to `length` bytes starting at `offset` into `dst`. Returns the
  // number of bytes copied (0 at or past the end), or -1 on an I/O error.
  virtual int64_t read(int64_t offset, uint8_t* dst, int64_t length) = 0;
};

// Reads a local file (native tests, fuzzing, tools). Opening does not fail:
// a missing or unreadable file reports size -1 and every read fails, which the
// probe turns into `unreadable_input` with the reason below.
class FileByteSource final : public ByteSource {
 public:
  explicit FileByteSource(const std::string& path);
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;

  int64_t size() const override { return size_; }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override;
  const std::string& open_error() const { return open_error_; }

 private:
  std::FILE* file_ = nullptr;
  int64_t size_ = -1;
  std::string open_error_;
};

// Bytes already in memory (fuzzing, tests of truncated input). Does not own
// the bytes unless constructed from a vector.
class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit MemoryByteSource(std::vector<uint8_t> bytes)
      : owned_(std::move(bytes)), data_(owned_.data()), size_(owned_.size()) {}

  int64_t size() const override { return static_cast<int64_t>(size_); }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override;

 private:
  std::vector<uint8_t> owned_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace charid
