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

// Reads a caller's options object strictly: a key that is absent (undefined
// or null) keeps the default; a value of the wrong type records an
// invalid_argument error naming the option, so a typo'd type is not silently
// ignored. Range checks stay with the core (one home for each limit); only
// integer options refuse what no int can hold (NaN, fractions, beyond int).
// Check error() once after reading every option.
class OptionReader {
 public:
  explicit OptionReader(const val& options) : options_(options) {
    absent_ = options.isUndefined() || options.isNull();
    if (!absent_ && options.typeOf().as<std::string>() != "object") {
      fail("The options must be an object such as {count: 16}, or left out.");
    }
  }

  double number(const char* key, double fallback) {
    val v = get(key);
    if (v.isUndefined() || v.isNull()) return fallback;
    if (!v.isNumber()) return wrong_type(key, "a number", fallback);
    return v.as<double>();
  }

  int integer(const char* key, int fallback) {
    val v = get(key);
    if (v.isUndefined() || v.isNull()) return fallback;
    const double d = v.isNumber() ? v.as<double>() : 0.5;
    if (!(d >= -2147483648.0 && d <= 2147483647.0) || d != static_cast<double>(static_cast<int>(d))) {
      return wrong_type(key, "a whole number", fallback);
    }
    return static_cast<int>(d);
  }

  bool boolean(const char* key, bool fallback) {
    val v = get(key);
    if (v.isUndefined() || v.isNull()) return fallback;
    if (!v.isTrue() && !v.isFalse()) return wrong_type(key, "true or false", fallback);
    return v.isTrue();
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  val get(const char* key) const { return absent_ || error_ ? val::undefined() : options_[key]; }

  template <typename T>
  T wrong_type(const char* key, const char* expected, T fallback) {
    fail(std::string("The option ") + key + " must be " + expected + ".");
    return fallback;
  }

  void fail(std::string message) {
    if (!error_) error_ = Error{ErrorCode::invalid_argument, std::move(message)};
  }

  val options_;
  bool absent_ = false;
  std::optional<Error> error_;
};

}  // namespace charid::js
