#include "registry/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace charid::registry {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(1.0, burst)) {}

int RateLimiter::acquire(const std::string& who) {
  if (per_second_ <= 0) return 0;  // 0 means unlimited
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= prune_at_) {
    prune(now);
    prune_at_ = std::max(kPruneAt, 2 * buckets_.size());
  }
  auto [it, inserted] = buckets_.try_emplace(who, Bucket{burst_, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_)));
}

size_t RateLimiter::buckets() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

// Full buckets carry no state worth keeping; dropping them bounds memory
// under many distinct clients.
void RateLimiter::prune(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace charid::registry
