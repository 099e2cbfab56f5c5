// Typed errors shared by every part of charid (core, CLI, page, registry).
// The string names are a public contract: keep them exactly.
#pragma once

#include <string>
#include <string_view>

namespace charid {

enum class ErrorCode {
  unreadable_input,    // not media, truncated, corrupt, empty, missing
  no_video_stream,     // a media file without any video
  unsupported_codec,   // video in a codec the core does not decode
  encrypted_input,     // CENC / cbcs protected content
  resolution_too_low,  // short side of the display size below the minimum
  too_short,           // under the minimum duration of video
  input_too_large,     // over the maximum input size
  invalid_argument,    // a caller-side mistake (bad option value)
};

std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // plain words: what went wrong and what to do
};

}  // namespace charid
