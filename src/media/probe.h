// probe: what the video is and which window would be sampled, or why it is
// rejected. Reads only the container headers (and one packet for MP4 DRM).
#pragma once

#include "core/result.h"
#include "media/byte_source.h"
#include "media/media_types.h"

namespace charid {

Result<ProbeResult> probe(ByteSource& source, const ProbeOptions& options = {});

}  // namespace charid
