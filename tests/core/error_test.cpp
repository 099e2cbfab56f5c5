#include <catch.hpp>

#include "core/error.h"
#include "core/result.h"

using namespace charid;

TEST_CASE("error codes have their contract names") {
  CHECK(error_code_name(ErrorCode::unreadable_input) == "unreadable_input");
  CHECK(error_code_name(ErrorCode::no_video_stream) == "no_video_stream");
  CHECK(error_code_name(ErrorCode::unsupported_codec) == "unsupported_codec");
  CHECK(error_code_name(ErrorCode::encrypted_input) == "encrypted_input");
  CHECK(error_code_name(ErrorCode::resolution_too_low) == "resolution_too_low");
  CHECK(error_code_name(ErrorCode::too_short) == "too_short");
  CHECK(error_code_name(ErrorCode::input_too_large) == "input_too_large");
}

TEST_CASE("Result holds either a value or an error") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(good.value() == 7);
  Result<int> bad = make_error(ErrorCode::too_short, "short");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::too_short);
  CHECK(bad.error().message == "short");
}
