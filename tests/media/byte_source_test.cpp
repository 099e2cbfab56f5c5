// The core reads through ByteSource only; these cut real files short in memory.
#include <catch.hpp>

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
