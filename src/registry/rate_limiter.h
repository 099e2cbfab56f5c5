// Token buckets keyed by a string (a client address or an API key). A bucket
// holds up to `burst` tokens and refills at `per_second`; a request that
// finds it empty learns how long to wait (the Retry-After header).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace charid::registry {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);

  // 0 when allowed (and a token is taken), else whole seconds to wait (>= 1).
  int acquire(const std::string& who);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void prune(std::chrono::steady_clock::time_point now);

  const double per_second_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace charid::registry
