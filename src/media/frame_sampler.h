// sample_frames: K frames spread evenly (by timestamp) over the window, decoded
// with as little work as possible, plus their quality numbers and warnings.
#pragma once

#include <functional>

#include "core/result.h"
#include "media/byte_source.h"
#include "media/media_types.h"

namespace charid {

// Called after each kept sample with (samples so far, samples wanted).
using SampleProgress = std::function<void(int done, int total)>;

Result<SampleResult> sample_frames(ByteSource& source, const SampleOptions& options = {},
                                   const SampleProgress& progress = {});

}  // namespace charid
