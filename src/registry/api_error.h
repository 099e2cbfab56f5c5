// ApiError / ApiResult<T>: the registry's errors as values. Each error carries
// the HTTP status and the public `code` string of {"error": {"code", "message"}}.
// Only storage outages travel as exceptions (StorageError), caught in one place.
#pragma once

#include <cassert>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace charid::registry {

struct ApiError {
  int status;
  std::string code;     // public contract, e.g. "invalid_embedding"
  std::string message;  // plain words: what went wrong and what to do
  int retry_after = 0;  // seconds, for 429 (the Retry-After header)
  // model_not_held: the models the character does hold, sent as
  // {"error": {..., "models": [...]}} so a client can pick one.
  std::vector<std::string> models;
};

template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const ApiError& error() const {
    assert(!ok());
    return std::get<ApiError>(state_);
  }

 private:
  std::variant<T, ApiError> state_;
};

inline ApiError bad_request(std::string message) {
  return {400, "invalid_request", std::move(message)};
}
inline ApiError invalid_embedding(std::string message) {
  return {422, "invalid_embedding", std::move(message)};
}
inline ApiError not_found() {
  return {404, "not_found", "No such character (or it is private to another key)."};
}

// The database could not be reached or failed: a server-side problem (503),
// never the caller's input.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace charid::registry
