// Real frames from the labelled fixture clips, sampled by the media core.
#pragma once

#include <string>
#include <vector>

#include "core/image.h"

namespace charid::test {

// `count` frames of ../shared/fixtures/clips/<name>; fails the test when the clip cannot be read.
std::vector<RgbImage> clip_frames(const std::string& name, int count = 4);

}  // namespace charid::test
