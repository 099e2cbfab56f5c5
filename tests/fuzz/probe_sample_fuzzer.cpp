// Feeds arbitrary bytes to probe and sample: every input must end in a value
// or a typed error, never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>

#include "media/byte_source.h"
#include "media/frame_sampler.h"
#include "media/probe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  charid::MemoryByteSource source(data, size);
  charid::ProbeOptions probe_options;
  probe_options.allow_low_res = true;
  auto probed = charid::probe(source, probe_options);
  if (!probed.ok()) return 0;

  charid::SampleOptions options;
  options.allow_low_res = true;
  options.count = 4;
  options.max_short_side = 64;  // keep each run cheap; the paths are the same
  auto sampled = charid::sample_frames(source, options);
  if (sampled.ok()) {
    for (const auto& f : sampled.value().frames) {
      if (f.image.pixels.size() != static_cast<size_t>(f.image.width) * f.image.height * 3) {
        __builtin_trap();  // a frame whose buffer disagrees with its size
      }
    }
  }
  return 0;
}
