// The core reads through ByteSource only; these cut real files short in memory.
#include <catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "media/byte_source.h"
#include "media/frame_sampler.h"
#include "media/probe.h"
#include "shared_paths.h"

using namespace charid;

namespace {
std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("MemoryByteSource reads at offsets and stops at the end") {
  MemoryByteSource src(std::vector<uint8_t>{1, 2, 3, 4, 5});
  uint8_t buf[4] = {};
  CHECK(src.size() == 5);
  CHECK(src.read(3, buf, 4) == 2);
  CHECK(buf[0] == 4);
  CHECK(src.read(5, buf, 4) == 0);
  CHECK(src.read(-1, buf, 4) == -1);
}

TEST_CASE("an empty input is unreadable_input") {
  MemoryByteSource empty(std::vector<uint8_t>{});
  auto r = probe(empty);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::unreadable_input);
  CHECK(r.error().message.find("empty") != std::string::npos);
}

TEST_CASE("a real MP4 cut at any point gives frames or unreadable_input, never a crash") {
  std::vector<uint8_t> whole = read_all(test::media("bramp__ffmpeg-cli-wrapper/big_buck_bunny_720p_1mb.mp4"));
  REQUIRE(whole.size() > 100000);
  for (size_t cut : {size_t{10}, size_t{1000}, size_t{40000}, whole.size() / 2}) {
    INFO("cut at " << cut);
    MemoryByteSource src(whole.data(), cut);
    SampleOptions o;
    o.count = 4;
    auto r = sample_frames(src, o);
    if (!r.ok()) CHECK(r.error().code == ErrorCode::unreadable_input);
  }
}

namespace {
// A source that declares a size and then answers every read with bytes,
// however far past that size it is asked: it never says "end".
class EndlessSource final : public ByteSource {
 public:
  explicit EndlessSource(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override {
    ++reads;
    const int64_t n = std::min<int64_t>(length, 7);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t at = offset + i;
      dst[i] = at < size() ? bytes_[static_cast<size_t>(at)] : 0;
    }
    return n;
  }
  int64_t reads = 0;

 private:
  std::vector<uint8_t> bytes_;
};
}  // namespace

TEST_CASE("a source that never says end is read up to its declared size, not forever") {
  auto whole = read_all(test::media("Eyevinn__mp4ff/vp9.ivf"));
  REQUIRE(whole.size() > 10000);
  EndlessSource src(whole);
  SampleOptions o;
  o.allow_low_res = true;
  o.count = 16;  // the last target lies after the last frame: decoding runs to the end
  auto r = sample_frames(src, o);
  REQUIRE(r.ok());
  CHECK(r.value().frames.size() >= 12);
  // 7 bytes a read: the whole file is a few thousand reads, sampled twice at most.
  CHECK(src.reads < 4 * static_cast<int64_t>(whole.size()) / 7);
}
