#include <catch.hpp>

#include "core/base64.h"

using charid::base64_decode;
using charid::base64_encode;

TEST_CASE("base64 round-trips every length and byte") {
  for (size_t n = 0; n < 70; ++n) {
    std::vector<uint8_t> bytes(n);
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(i * 41 + 7);
    const auto decoded = base64_decode(base64_encode(bytes.data(), bytes.size()));
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64 refuses what is not strict standard base64") {
  CHECK_FALSE(base64_decode("abc"));       // length not a multiple of 4
  CHECK_FALSE(base64_decode("ab=c"));      // padding in the middle
  CHECK_FALSE(base64_decode("a==="));      // too much padding
  CHECK_FALSE(base64_decode("ab-_"));      // URL-safe alphabet
  CHECK_FALSE(base64_decode("ab c"));      // whitespace
  CHECK_FALSE(base64_decode("YQ==YQ=="));  // padding before the end
  CHECK(base64_decode("YQ==")->size() == 1);
  CHECK(base64_decode("")->empty());
}

TEST_CASE("base64 says why it refused") {
  std::string problem;
  CHECK_FALSE(base64_decode("abc", &problem));
  CHECK(problem == "base64 text length is not a multiple of 4");
  CHECK_FALSE(base64_decode("ab=c", &problem));
  CHECK(problem == "invalid base64 padding");
  CHECK_FALSE(base64_decode("ab-_", &problem));
  CHECK(problem == "invalid base64 character");
}
