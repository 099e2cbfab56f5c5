// ApiError / ApiResult<T> (core's Result<T, ApiError>): the registry's errors as values. Each error carries
// the HTTP status and the public `code` string of {"error": {"code", "message"}}.
// Only storage outages travel as exceptions (StorageError), caught in one place.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

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
using ApiResult = charid::Result<T, ApiError>;

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
