// Result<T>: a value or an Error. Errors are values at every boundary of the
// core; no exception is used to report bad input, so nothing can cross into JS.
// Result<T, E>: the same with another error type (the registry's ApiError,
// which carries an HTTP status).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.h"

namespace charid {

template <typename T, typename E = Error>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(E error) : state_(std::move(error)) {}         // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T& value() & { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }
  const E& error() const { assert(!ok()); return std::get<E>(state_); }

 private:
  std::variant<T, E> state_;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace charid
