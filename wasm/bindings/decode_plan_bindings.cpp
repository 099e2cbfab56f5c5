// Embind bindings of the decode plan, for the page's WebCodecs path: the core
// demuxes and plans (decodePlan), keeps the frame-picking rule (pickFrames),
// converts the planes a VideoFrame gave (convertPlanes) and summarises the
// quality (summarizeFrames). None of them needs a video decoder, so they work
// in a module built without FFmpeg's decoders and dav1d.
//
// Ownership: every result is a fresh JS value; packet bytes and pixels are
// copied into JS-owned typed arrays before the call returns. Input bytes
// (convertPlanes' data) are copied into wasm memory after their sizes were
// checked against the format, so nothing is allocated for a bad request.
// Every export answers {ok: false, error: {code, message}} instead of throwing.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <string>
#include <vector>

#include "media/frame_quality.h"
#include "media/decode_plan.h"
#include "media/frame_converter.h"
#include "media/frame_sampler.h"
#include "js_values.h"
#include "media_values.h"

using emscripten::val;
using charid::js::array_of;
using charid::js::error_result;
using charid::js::optional_number;
using charid::js::OptionReader;

namespace {

// Upper bound of one picture's bytes (16384 x 16384 RGBX is 1 GiB; the module has 1 GiB).
constexpr double kMaxPictureBytes = 256.0 * 1024 * 1024;

using charid::js::JsByteSource;

charid::Error invalid(const std::string& message) {
  return {charid::ErrorCode::invalid_argument, message};
}

val bytes_to_js(const std::vector<uint8_t>& bytes) {
  val view(emscripten::typed_memory_view(bytes.size(), bytes.data()));
  return val::global("Uint8Array").new_(view);
}

// The VideoDecoderConfig fields, named as WebCodecs names them, plus what the caller applies.
val config_js(const charid::WebCodecsConfig& c) {
  val o = val::object();
  o.set("codec", c.codec);
  o.set("description", c.description.empty() ? val::null() : bytes_to_js(c.description));
  o.set("annexB", c.annex_b);
  o.set("codedWidth", c.coded_width);
  o.set("codedHeight", c.coded_height);
  o.set("displayAspectWidth", c.display_width);
  o.set("displayAspectHeight", c.display_height);
  o.set("rotation", c.rotation);
  o.set("sarNum", c.sar_num);
  o.set("sarDen", c.sar_den);
  val colour = val::object();
  colour.set("matrix", c.matrix.empty() ? val::null() : val(c.matrix));
  colour.set("primaries", c.primaries.empty() ? val::null() : val(c.primaries));
  colour.set("transfer", c.transfer.empty() ? val::null() : val(c.transfer));
  colour.set("fullRange", c.full_range ? val(*c.full_range) : val::null());
  o.set("colorSpace", colour);
  return o;
}

// decodePlan(reader, {start, duration, allowLowRes, count, maxShortSide, skipNonRef}) ->
// {ok, source, window: {start, end}, config, targets: [s], packets: [{data, timestamp,
//  duration, key}] (µs, decode order), expected: [µs], skippedNonRef, packetsInWindow,
//  packetBytes}
val decode_plan_js(val reader, val options) {
  JsByteSource source(std::move(reader));
  if (!source.valid()) return error_result(charid::js::not_a_reader());
  OptionReader js(options);
  charid::SampleOptions o;
  o.start = js.number("start", o.start);
  o.duration = js.number("duration", o.duration);
  o.allow_low_res = js.boolean("allowLowRes", o.allow_low_res);
  o.count = js.integer("count", o.count);
  o.max_short_side = js.integer("maxShortSide", o.max_short_side);
  o.skip_nonref = js.boolean("skipNonRef", o.skip_nonref);
  if (js.error()) return error_result(*js.error());
  auto r = charid::plan_decode(source, o);
  if (!r) return error_result(r.error());
  const charid::DecodePlan& p = r.value();
  val packets = val::array();
  for (const auto& pk : p.packets) {
    val chunk = val::object();
    chunk.set("data", bytes_to_js(pk.data));
    chunk.set("timestamp", static_cast<double>(pk.timestamp_us));
    chunk.set("duration", static_cast<double>(pk.duration_us));
    chunk.set("key", pk.key);
    packets.call<void>("push", chunk);
  }
  val expected = val::array();
  for (int64_t t : p.expected_us) expected.call<void>("push", static_cast<double>(t));
  val out = val::object();
  out.set("ok", true);
  out.set("source", charid::js::source_to_js(p.source));
  out.set("window", charid::js::window_to_js(p.window));
  out.set("config", config_js(p.config));
  out.set("targets", array_of(p.targets));
  out.set("packets", packets);
  out.set("expected", expected);
  out.set("skippedNonRef", p.skipped_nonref);
  out.set("packetsInWindow", p.packets_in_window);
  out.set("packetBytes", static_cast<double>(p.packet_bytes));
  return out;
}

// A JS array of finite numbers, or false (with the name in the error).
bool numbers_of(const val& list, const char* name, std::vector<double>& out, std::string& error) {
  if (!val::global("Array").call<bool>("isArray", list)) {
    error = std::string(name) + " must be an array of numbers.";
    return false;
  }
  const int n = list["length"].as<int>();
  if (n > 100000) {
    error = std::string(name) + " has more than 100000 entries.";
    return false;
  }
  for (int i = 0; i < n; ++i) {
    val v = list[i];
    if (!v.isNumber() || !std::isfinite(v.as<double>())) {
      error = std::string(name) + " must hold finite numbers only.";
      return false;
    }
    out.push_back(v.as<double>());
  }
  return true;
}

// pickFrames(timestampsUs, targetsSeconds) -> {ok, picks: [{frame, target}]}: the decoded
// frames (their timestamps in µs, in presentation order) the nearest-frame rule keeps.
val pick_frames_js(val timestamps, val targets) {
  std::vector<double> times, goals;
  std::string error;
  if (!numbers_of(timestamps, "timestamps", times, error) ||
      !numbers_of(targets, "targets", goals, error)) {
    return error_result(invalid(error));
  }
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] < times[i - 1]) return error_result(invalid("The timestamps must be sorted."));
  }
  for (double& t : times) t /= 1e6;
  val picks = val::array();
  for (const charid::FramePick& pick : charid::pick_nearest_frames(times, goals)) {
    val o = val::object();
    o.set("frame", pick.frame);
    o.set("target", pick.target);
    picks.call<void>("push", o);
  }
  val out = val::object();
  out.set("ok", true);
  out.set("picks", picks);
  return out;
}

bool format_named(const std::string& name, charid::PlaneFormat& format) {
  using charid::PlaneFormat;
  if (name == "I420") format = PlaneFormat::i420;
  else if (name == "I420A") format = PlaneFormat::i420a;
  else if (name == "I420P10") format = PlaneFormat::i420p10;
  else if (name == "NV12") format = PlaneFormat::nv12;
  else if (name == "RGBX" || name == "RGBA") format = PlaneFormat::rgbx;
  else if (name == "BGRX" || name == "BGRA") format = PlaneFormat::bgrx;
  else return false;
  return true;
}

// convertPlanes({format, width, height, data: Uint8Array, layout: [{offset, stride}], matrix,
//   fullRange, rotation, sarNum, sarDen, maxShortSide}) -> {ok, width, height, rgb, quality,
//   histogram}: what VideoFrame.copyTo gave, upright, square-pixel RGB by the core's converter.
val convert_planes_js(val input) {
  if (input.isUndefined() || input.isNull() || input.typeOf().as<std::string>() != "object") {
    return error_result(invalid("convertPlanes needs an object {format, width, height, data, layout}."));
  }
  OptionReader js(input);
  const int width = js.integer("width", 0), height = js.integer("height", 0);
  const int rotation = js.integer("rotation", 0);
  const int sar_num = js.integer("sarNum", 0), sar_den = js.integer("sarDen", 0);
  const int max_short_side = js.integer("maxShortSide", 512);
  const bool full_range = js.boolean("fullRange", false);
  if (js.error()) return error_result(*js.error());
  charid::PlanarPicture pic;
  const val format = input["format"];
  if (!format.isString() || !format_named(format.as<std::string>(), pic.format)) {
    return error_result(invalid("The format must be I420, I420A, I420P10, NV12, RGBX or BGRX."));
  }
  if (rotation % 90 != 0 || rotation < 0 || rotation >= 360) {
    return error_result(invalid("The rotation must be 0, 90, 180 or 270."));
  }
  if (max_short_side < 16 || max_short_side > 4096) {
    return error_result(invalid("The frame size limit must be between 16 and 4096 pixels."));
  }
  charid::PlaneLayout need;
  if (!charid::plane_layout(pic.format, width, height, need)) {
    return error_result(invalid("The picture size must be between 1 and 16384 pixels a side."));
  }
  const val data = input["data"];
  if (!data.instanceof(val::global("Uint8Array"))) return error_result(invalid("data must be a Uint8Array."));
  const double length = data["length"].as<double>();
  if (length > kMaxPictureBytes) return error_result(invalid("data is larger than any picture."));
  const val layout = input["layout"];
  if (!val::global("Array").call<bool>("isArray", layout) || layout["length"].as<int>() < need.count) {
    return error_result(invalid("layout must give {offset, stride} for every plane of the format."));
  }
  double offsets[4] = {0, 0, 0, 0};
  for (int i = 0; i < need.count; ++i) {
    const val plane = layout[i];
    const double offset = charid::js::number_or(plane, "offset", -1);
    const double stride = charid::js::number_or(plane, "stride", -1);
    if (!(offset >= 0) || !(stride >= need.row_bytes[i]) || stride > 1 << 20 ||
        offset + stride * (need.rows[i] - 1) + need.row_bytes[i] > length) {
      return error_result(invalid("Plane " + std::to_string(i) + " lies outside data or is too narrow."));
    }
    offsets[i] = offset;
    pic.strides[i] = static_cast<int>(stride);
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(length));
  val(emscripten::typed_memory_view(bytes.size(), bytes.data())).call<void>("set", data);
  for (int i = 0; i < need.count; ++i) pic.planes[i] = bytes.data() + static_cast<size_t>(offsets[i]);
  pic.width = width;
  pic.height = height;
  const val matrix = input["matrix"];
  if (matrix.isString()) pic.matrix = matrix.as<std::string>();
  pic.full_range = full_range;

  charid::FrameConverter converter(rotation, AVRational{sar_num, sar_den > 0 ? sar_den : 1}, max_short_side);
  auto image = converter.convert(pic);
  if (!image) return error_result(image.error());
  const charid::FrameQuality q = charid::measure_frame_quality(image.value());
  val quality = charid::js::exposure_to_js(q);
  val out = val::object();
  out.set("ok", true);
  out.set("width", image.value().width);
  out.set("height", image.value().height);
  out.set("rgb", bytes_to_js(image.value().pixels));
  out.set("quality", quality);
  val hist(emscripten::typed_memory_view(q.histogram.size(), q.histogram.data()));
  out.set("histogram", val::global("Float32Array").new_(hist));
  return out;
}

// summarizeFrames([{quality, histogram}], windowSeconds, decodeErrors) -> {ok, quality,
//   warnings}: the clip's quality summary and warnings, as sample() reports them.
val summarize_frames_js(val frames, val window, val errors) {
  if (!window.isNumber() || !(window.as<double>() >= 0) || !errors.isNumber() ||
      !(errors.as<double>() >= 0 && errors.as<double>() <= 1e9)) {
    return error_result(invalid("summarizeFrames needs the window length (s) and the decode error count."));
  }
  const double window_seconds = window.as<double>();
  const int decode_errors = static_cast<int>(errors.as<double>());
  if (!val::global("Array").call<bool>("isArray", frames) || frames["length"].as<int>() > 256) {
    return error_result(invalid("frames must be an array of at most 256 {quality, histogram}."));
  }
  const int n = frames["length"].as<int>();
  std::vector<charid::FrameQuality> qualities(n);
  for (int i = 0; i < n; ++i) {
    const val f = frames[i];
    const val q = f["quality"], h = f["histogram"];
    if (q.isUndefined() || q.isNull() || !h.instanceof(val::global("Float32Array")) ||
        h["length"].as<size_t>() != qualities[i].histogram.size()) {
      return error_result(invalid("Each frame needs the quality and histogram convertPlanes gave."));
    }
    qualities[i].sharpness = charid::js::number_or(q, "sharpness", 0);
    qualities[i].mean_luma = charid::js::number_or(q, "mean_luma", 0);
    qualities[i].clipped_dark = charid::js::number_or(q, "clipped_dark", 0);
    qualities[i].clipped_bright = charid::js::number_or(q, "clipped_bright", 0);
    for (size_t k = 0; k < qualities[i].histogram.size(); ++k) {
      qualities[i].histogram[k] = h[k].as<float>();
    }
  }
  std::vector<const charid::FrameQuality*> list;
  for (const auto& q : qualities) list.push_back(&q);
  const charid::QualitySummary s = charid::summarize_quality(list);
  val summary = charid::js::summary_to_js(s);
  val out = val::object();
  out.set("ok", true);
  out.set("quality", summary);
  out.set("warnings", array_of(charid::quality_warnings(s, window_seconds, decode_errors)));
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_decode_plan) {
  emscripten::function("decodePlan", &decode_plan_js);
  emscripten::function("pickFrames", &pick_frames_js);
  emscripten::function("convertPlanes", &convert_planes_js);
  emscripten::function("summarizeFrames", &summarize_frames_js);
}
