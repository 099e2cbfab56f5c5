#include <catch.hpp>

#include "registry/rate_limiter.h"

using charid::registry::RateLimiter;

TEST_CASE("a bucket allows its burst, then asks to wait, per key") {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/3);
  CHECK(limiter.acquire("a") == 0);
  CHECK(limiter.acquire("a") == 0);
  CHECK(limiter.acquire("a") == 0);
  CHECK(limiter.acquire("a") >= 1);
  CHECK(limiter.acquire("b") == 0);
}

TEST_CASE("a rate of zero means unlimited") {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) REQUIRE(limiter.acquire("x") == 0);
}
