// The JS reader and progress callback behind guards, and the media results as JS values
// (media_values.h says what the reader is and why the guards).
#include "media_values.h"

#include <emscripten/emscripten.h>

#include <string>

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

namespace charid::js {

JsByteSource::JsByteSource(val reader)
    : reader_(std::move(reader)), size_(charid_reader_size(reader_.as_handle())) {}

int64_t JsByteSource::read(int64_t offset, uint8_t* dst, int64_t length) {
  if (stopped_) return -1;
  return static_cast<int64_t>(charid_reader_read(reader_.as_handle(), static_cast<double>(offset),
                                                 dst, static_cast<double>(length)));
}

Error not_a_reader() {
  return {ErrorCode::invalid_argument,
          "The reader must be an object with a whole-number size (or -1) and a readInto(offset, "
          "view) function."};
}

bool call_progress(const val& callback, int done, int total) {
  return charid_call_progress(callback.as_handle(), done, total) != 0;
}

val source_to_js(const SourceInfo& s) {
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

val window_to_js(const Window& w) {
  val o = val::object();
  o.set("start", w.start);
  o.set("end", w.end);
  return o;
}

val summary_to_js(const QualitySummary& s) {
  val o = exposure_to_js(s);
  o.set("scene_cuts", array_of(s.scene_cuts));
  o.set("cut_distances", array_of(s.cut_distances));
  return o;
}

}  // namespace charid::js
