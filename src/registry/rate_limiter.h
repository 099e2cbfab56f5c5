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
  size_t buckets() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void prune(std::chrono::steady_clock::time_point now);

  // Prune when the map reaches this size, then set it to twice what is left
  // (at least kPruneAt): each full scan is paid for by as many new buckets,
  // so many distinct clients never make every request scan them all.
  static constexpr size_t kPruneAt = 100000;

  const double per_second_;
  const double burst_;
  size_t prune_at_ = kPruneAt;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace charid::registry
