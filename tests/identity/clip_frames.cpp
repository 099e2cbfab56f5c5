#include "clip_frames.h"

#include <catch.hpp>

#include "media/frame_sampler.h"
#include "shared_paths.h"

namespace charid::test {

std::vector<RgbImage> clip_frames(const std::string& name, int count) {
  FileByteSource source(clip(name));
  SampleOptions options;
  options.allow_low_res = true;
  options.count = count;
  auto r = sample_frames(source, options);
  REQUIRE(r.ok());
  std::vector<RgbImage> out;
  for (auto& f : r.value().frames) out.push_back(std::move(f.image));
  REQUIRE(int(out.size()) == count);
  return out;
}

}  // namespace charid::test
