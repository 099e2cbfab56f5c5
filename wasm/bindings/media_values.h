// What the media bindings (media_bindings.cpp: probe, sample; decode_plan_bindings.cpp: the
// WebCodecs path) share: the JS reader as a ByteSource, and the media results as plain JS values.
//
// The reader is any JS object with
//   size: number                      total bytes (or -1 when unknown)
//   readInto(offset, view): number    fill `view` (a Uint8Array over wasm memory, valid only
//                                     during this call) with bytes at `offset`; return the
//                                     count, 0 at the end, -1 on an I/O error
// It is called through EM_JS helpers (media_values.cpp) that catch whatever it throws, so no JS
// exception unwinds through the C++ core, whose destructors would not run.
#pragma once

#include <emscripten/val.h>

#include <cstdint>

#include "core/error.h"
#include "media/frame_quality.h"
#include "media/byte_source.h"
#include "media/media_types.h"
#include "js_values.h"

namespace charid::js {

class JsByteSource final : public ByteSource {
 public:
  explicit JsByteSource(val reader);
  // False when the reader is not {size, readInto} with a whole-number size (or -1).
  bool valid() const { return size_ >= -1; }
  int64_t size() const override { return static_cast<int64_t>(size_); }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override;
  // Every later read fails, so a decode ends at once (the caller gave up).
  void stop() { stopped_ = true; }

 private:
  val reader_;
  double size_;
  bool stopped_ = false;
};

// The error for a reader that is not one (the same words from every export).
Error not_a_reader();

// onProgress(done, total) through the same kind of guard: false when it threw.
bool call_progress(const val& callback, int done, int total);

val source_to_js(const SourceInfo& s);
val window_to_js(const Window& w);
val summary_to_js(const QualitySummary& s);

// The numbers a frame and a whole clip share (FrameQuality, QualitySummary).
template <typename Quality>
val exposure_to_js(const Quality& q) {
  val o = val::object();
  o.set("sharpness", q.sharpness);
  o.set("mean_luma", q.mean_luma);
  o.set("clipped_dark", q.clipped_dark);
  o.set("clipped_bright", q.clipped_bright);
  return o;
}

}  // namespace charid::js
