#include "media/probe.h"

#include "media/media_input.h"

namespace charid {

Result<ProbeResult> probe(ByteSource& source, const ProbeOptions& options) {
  auto input = MediaInput::open(source);
  if (!input) return input.error();
  const SourceInfo& info = input.value()->info();
  auto window = check_limits(info, options);
  if (!window) return window.error();

  ProbeResult result;
  result.source = info;
  result.window = window.value();
  if (result.window.length() < QualityThresholds{}.short_clip_seconds) {
    result.warnings.emplace_back("short_clip");
  }
  return result;
}

}  // namespace charid
