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
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "core/error.h"
#include "media/frame_sampler.h"
#include "media/probe.h"
#include "js_values.h"

using emscripten::val;
using charid::js::array_of;
using charid::js::bool_or;
using charid::js::error_result;
using charid::js::number_or;
using charid::js::optional_number;

namespace {

class JsByteSource final : public charid::ByteSource {
 public:
  explicit JsByteSource(val reader)
      : reader_(std::move(reader)), size_(static_cast<int64_t>(reader_["size"].as<double>())) {}
  int64_t size() const override { return size_; }
  int64_t read(int64_t offset, uint8_t* dst, int64_t length) override {
    val view(emscripten::typed_memory_view(static_cast<size_t>(length), dst));
    return static_cast<int64_t>(reader_.call<double>("readInto", static_cast<double>(offset), view));
  }

 private:
  val reader_;
  int64_t size_;
};

template <typename Options>
void read_probe_options(const val& js, Options& o) {
  o.start = number_or(js, "start", o.start);
  o.duration = number_or(js, "duration", o.duration);
  o.allow_low_res = bool_or(js, "allowLowRes", o.allow_low_res);
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
  charid::ProbeOptions o;
  read_probe_options(options, o);
  auto r = charid::probe(source, o);
  if (!r) return error_result(r.error());
  val out = val::object();
  out.set("ok", true);
  out.set("source", source_to_js(r.value().source));
  out.set("window", window_to_js(r.value().window));
  out.set("warnings", array_of(r.value().warnings));
  return out;
}

// onProgress (optional): called with (done, total) after each kept frame.
val sample_js(val reader, val options, val on_progress) {
  JsByteSource source(std::move(reader));
  charid::SampleOptions o;
  read_probe_options(options, o);
  o.count = static_cast<int>(number_or(options, "count", o.count));
  o.max_short_side = static_cast<int>(number_or(options, "maxShortSide", o.max_short_side));
  o.skip_nonref = bool_or(options, "skipNonRef", o.skip_nonref);
  charid::SampleProgress progress;
  if (on_progress.typeOf().as<std::string>() == "function") {
    progress = [&on_progress](int done, int total) { on_progress(done, total); };
  }
  auto r = charid::sample_frames(source, o, progress);
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
