// Conversions between C++ values and plain JS values shared by every binding
// file. Each function builds a fresh JS value; nothing here keeps a view into
// wasm memory.
#pragma once

#include <emscripten/val.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace charid::js {

using emscripten::val;

// The error shape every binding returns instead of throwing:
// {ok: false, error: {code, message}} with the shared error code names.
inline val error_result(const Error& e) {
  val err = val::object();
  err.set("code", std::string(error_code_name(e.code)));
  err.set("message", e.message);
  val o = val::object();
  o.set("ok", false);
  o.set("error", err);
  return o;
}

inline val optional_number(const std::optional<double>& v) { return v ? val(*v) : val::null(); }

// A JS array of the given values (strings or numbers).
template <typename T>
val array_of(const std::vector<T>& list) {
  val out = val::array();
  for (const auto& item : list) out.call<void>("push", item);
  return out;
}

// options[key] when it is a number (or a boolean), else the fallback; a
// missing options object counts as empty.
inline double number_or(const val& options, const char* key, double fallback) {
  if (options.isUndefined() || options.isNull()) return fallback;
  val v = options[key];
  return v.isNumber() ? v.as<double>() : fallback;
}

inline bool bool_or(const val& options, const char* key, bool fallback) {
  if (options.isUndefined() || options.isNull()) return fallback;
  val v = options[key];
  return v.isTrue() ? true : v.isFalse() ? false : fallback;
}

}  // namespace charid::js
