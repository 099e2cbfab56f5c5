#include <catch.hpp>
#include <chrono>
#include <string>

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

TEST_CASE("many distinct clients do not make every request scan all buckets") {
  // Buckets that never refill: none can be pruned. Before the doubling rule,
  // every request past 100k buckets scanned them all (minutes for this loop).
  RateLimiter limiter(/*per_second=*/1e-6, /*burst=*/2);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 160000; ++i) REQUIRE(limiter.acquire("client-" + std::to_string(i)) == 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 5.0);
  CHECK(limiter.buckets() == 160000);  // nothing full, nothing dropped
}

TEST_CASE("full buckets are dropped when the map is pruned") {
  RateLimiter limiter(/*per_second=*/1e9, /*burst=*/1);  // full again at once
  for (int i = 0; i < 100001; ++i) limiter.acquire("c" + std::to_string(i));
  CHECK(limiter.buckets() < 1000);
}
