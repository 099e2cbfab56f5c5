#include "core/error.h"

namespace charid {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::unreadable_input: return "unreadable_input";
    case ErrorCode::no_video_stream: return "no_video_stream";
    case ErrorCode::unsupported_codec: return "unsupported_codec";
    case ErrorCode::encrypted_input: return "encrypted_input";
    case ErrorCode::resolution_too_low: return "resolution_too_low";
    case ErrorCode::too_short: return "too_short";
    case ErrorCode::input_too_large: return "input_too_large";
    case ErrorCode::invalid_argument: return "invalid_argument";
  }
  return "unreadable_input";
}

}  // namespace charid
