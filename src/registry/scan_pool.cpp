#include "registry/scan_pool.h"

namespace charid::registry {

ScanPool& ScanPool::shared(size_t helpers) {
  static ScanPool pool(helpers);
  return pool;
}

ScanPool::ScanPool(size_t helpers) {
  for (size_t i = 0; i < helpers; ++i) threads_.emplace_back([this] { run(); });
}

ScanPool::~ScanPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ScanPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ScanPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (stop_ && tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace charid::registry
