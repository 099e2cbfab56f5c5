// Embind bindings of the media core: probe and sample.
//
// Ownership: every result is a plain JS object built here; pixel data is
// copied into a fresh JS-owned Uint8Array before the call returns, so no view
// into wasm memory escapes (memory growth would invalidate it). The reader
// object stays owned by JS; C++ only calls it during the call.
//
// The reader: see media_values.h. Anything else as the reader, an option of the wrong type, or an
// onProgress that is not a function is an invalid_argument error value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "core/error.h"
#include "media/frame_sampler.h"
#include "media/probe.h"
#include "js_values.h"
#include "media_values.h"

using emscripten::val;
using charid::js::array_of;
using charid::js::error_result;
using charid::js::optional_number;

namespace {

using charid::js::JsByteSource;
using charid::js::not_a_reader;
using charid::js::source_to_js;
using charid::js::window_to_js;
using charid::js::exposure_to_js;
using charid::js::summary_to_js;
using charid::js::OptionReader;

template <typename Options>
void read_probe_options(OptionReader& js, Options& o) {
  o.start = js.number("start", o.start);
  o.duration = js.number("duration", o.duration);
  o.allow_low_res = js.boolean("allowLowRes", o.allow_low_res);
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
      if (!charid::js::call_progress(on_progress, done, total)) {
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
