// Embind bindings of the media core: probe and sample.
//
// Ownership: every result is a plain JS object built here; pixel data is
// copied into a fresh JS-owned Uint8Array before the call returns, so no view
// into wasm memory escapes (memory growth would invalidate it). The reader
// object stays owned by JS; C++ only calls it during the call.
//
// The reader is any JS object with
//   size: number                      total bytes (or -1 when unknown)
//   readInto(offset, view): number    fill `view` (a Uint8Array over wasm memory,
//                                     valid only during this call) with bytes at
//                                     `offset`; return the count, 0 at the end,
//                                     -1 on an I/O error
// Anything else as the reader, an option of the wrong type, or an onProgress
// that is not a function is an invalid_argument error value.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include "core/error.h"
#include "media/frame_sampler.h"
#include "media/probe.h"
#include "js_values.h"

using emscripten::val;
using charid::js::array_of;
using charid::js::error_result;
using charid::js::optional_number;

// The reader and the progress callback are called through these helpers, so a
// reader that throws or answers with something other than a byte count is a
// failed read, and a throwing callback a flag: no JS exception unwinds through
// the C++ core, whose destructors would not run (FFmpeg contexts would leak).
// -2: not a reader ({size, readInto}) or no usable size.
EM_JS(double, charid_reader_size, (emscripten::EM_VAL handle), {
  try {
    const reader = Emval.toValue(handle);
    if (reader === null || typeof reader !== 'object' || typeof reader.readInto !== 'function') return -2;
    const size = reader.size;
    return Number.isSafeInteger(size) && size >= -1 ? size : -2;
  } catch (e) {
    return -2;
  }
});
EM_JS(double, charid_reader_read, (emscripten::EM_VAL handle, double offset, uint8_t* dst, double length), {
  try {
    const n = Emval.toValue(handle).readInto(offset, HEAPU8.subarray(dst, dst + length));
    return Number.isInteger(n) && n >= -1 && n <= length ? n : -1;
  } catch (e) {
    return -1;
  }
});
EM_JS(int, charid_call_progress, (emscripten::EM_VAL handle, int done, int total), {
  try {
    Emval.toValue(handle)(done, total);
    return 1;
  } catch (e) {
    return 0;
  }
});

namespace {

class JsByteSource final : public charid::ByteSource {
 public:
  explicit JsByteSource(val reader)
      : reader_(std::move(reader)), size_(charid_reader_size(reader_.as_handle())) {}
  bool valid() const { return size_ >= -1; }
  int64_t size() const override { return static_cast<int64_t>(size_); }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override {
    if (stopped_) return -1;
    return static_cast<int64_t>(charid_reader_read(reader_.as_handle(), static_cast<double>(offset),
                                                   dst, static_cast<double>(length)));
  }
  // Every later read fails, so a decode ends at once (the caller gave up).
  void stop() { stopped_ = true; }

 private:
  val reader_;
  double size_;
  bool stopped_ = false;
};

charid::Error not_a_reader() {
  return {charid::ErrorCode::invalid_argument,
          "The reader must be an object with a whole-number size (or -1) and a readInto(offset, "
          "view) function."};
}

using charid::js::OptionReader;

template <typename Options>
void read_probe_options(OptionReader& js, Options& o) {
  o.start = js.number("start", o.start);
  o.duration = js.number("duration", o.duration);
  o.allow_low_res = js.boolean("allowLowRes", o.allow_low_res);
}

val source_to_js(const charid::SourceInfo& s) {
  val o = val::object();
  o.set("container", s.container);
  o.set("codec", s.codec);
  o.set("width", s.width);
  o.set("height", s.height);
  o.set("display_width", s.display_width);
  o.set("display_height", s.display_height);
  o.set("rotation", s.rotation);
  o.set("duration", optional_number(s.duration));
  o.set("fps", optional_number(s.fps));
  o.set("bytes", static_cast<double>(s.bytes));
  o.set("has_audio", s.has_audio);
  o.set("pixel_format", s.pixel_format);
  o.set("bit_depth", s.bit_depth);
  return o;
}

val window_to_js(const charid::Window& w) {
  val o = val::object();
  o.set("start", w.start);
  o.set("end", w.end);
  return o;
}

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

val summary_to_js(const charid::QualitySummary& s) {
  val o = exposure_to_js(s);
  o.set("scene_cuts", array_of(s.scene_cuts));
  o.set("cut_distances", array_of(s.cut_distances));
  return o;
}

val probe_js(val reader, val options) {
  JsByteSource source(std::move(reader));
  if (!source.valid()) return error_result(not_a_reader());
  OptionReader js(options);
  charid::ProbeOptions o;
  read_probe_options(js, o);
  if (js.error()) return error_result(*js.error());
  auto r = charid::probe(source, o);
  if (!r) return error_result(r.error());
  val out = val::object();
  out.set("ok", true);
  out.set("source", source_to_js(r.value().source));
  out.set("window", window_to_js(r.value().window));
  out.set("warnings", array_of(r.value().warnings));
  return out;
}

// onProgress (optional): called with (done, total) after each kept frame. If
// it throws, sampling stops and the answer is an invalid_argument error.
val sample_js(val reader, val options, val on_progress) {
  JsByteSource source(std::move(reader));
  if (!source.valid()) return error_result(not_a_reader());
  OptionReader js(options);
  charid::SampleOptions o;
  read_probe_options(js, o);
  o.count = js.integer("count", o.count);
  o.max_short_side = js.integer("maxShortSide", o.max_short_side);
  o.skip_nonref = js.boolean("skipNonRef", o.skip_nonref);
  if (js.error()) return error_result(*js.error());
  const bool has_progress = !on_progress.isUndefined() && !on_progress.isNull();
  if (has_progress && on_progress.typeOf().as<std::string>() != "function") {
    return error_result({charid::ErrorCode::invalid_argument,
                         "onProgress must be a function (done, total) or null."});
  }
  bool progress_threw = false;
  charid::SampleProgress progress;
  if (has_progress) {
    progress = [&](int done, int total) {
      if (progress_threw) return;
      if (!charid_call_progress(on_progress.as_handle(), done, total)) {
        progress_threw = true;
        source.stop();
      }
    };
  }
  auto r = charid::sample_frames(source, o, progress);
  if (progress_threw) {
    return error_result({charid::ErrorCode::invalid_argument,
                         "onProgress threw an error, so sampling was stopped."});
  }
  if (!r) return error_result(r.error());
  const charid::SampleResult& s = r.value();

  val frames = val::array();
  val Uint8Array = val::global("Uint8Array");
  for (const auto& f : s.frames) {
    val frame = val::object();
    frame.set("index", f.index);
    frame.set("timestamp", f.timestamp);
    frame.set("width", f.image.width);
    frame.set("height", f.image.height);
    // Copy out of wasm memory now: the vector is freed when we return.
    val view(emscripten::typed_memory_view(f.image.pixels.size(), f.image.pixels.data()));
    frame.set("rgb", Uint8Array.new_(view));
    frame.set("quality", exposure_to_js(f.quality));
    frames.call<void>("push", frame);
  }
  val quality = summary_to_js(s.quality);
  val out = val::object();
  out.set("ok", true);
  out.set("source", source_to_js(s.source));
  out.set("window", window_to_js(s.window));
  out.set("frames", frames);
  out.set("quality", quality);
  out.set("warnings", array_of(s.warnings));
  out.set("decode_errors", s.decode_errors);
  out.set("frames_decoded", s.frames_decoded);
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_media) {
  emscripten::function("probe", &probe_js);
  emscripten::function("sample", &sample_js);
}
