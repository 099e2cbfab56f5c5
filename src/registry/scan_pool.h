// A few long-lived threads that help large index scans. Starting threads for
// each query (std::async) costs a clone() and a stack per helper per match;
// these start once, on the first large scan, and wait for work.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace charid::registry {

class ScanPool {
 public:
  // The process-wide pool of `helpers` threads (created on first use).
  static ScanPool& shared(size_t helpers);
  explicit ScanPool(size_t helpers);
  ~ScanPool();
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  // Runs `task` on a helper when one is free. A task must not assume it runs
  // soon, or at all before its submitter returns: it holds what it needs.
  void submit(std::function<void()> task);
  size_t helpers() const { return threads_.size(); }

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace charid::registry
