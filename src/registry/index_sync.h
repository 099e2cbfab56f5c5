// Keeps one instance's index in step with a database that other instances
// also write (PostgreSQL): a background thread pulls committed changes every
// interval, so a character created elsewhere is matchable within a second.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace charid::registry {

class Storage;
class VectorIndex;

class IndexSync {
 public:
  IndexSync(Storage& storage, VectorIndex& index, int64_t cursor, int interval_ms);
  ~IndexSync();  // stops and joins the thread
  IndexSync(const IndexSync&) = delete;
  IndexSync& operator=(const IndexSync&) = delete;

  // One pull, returning how many changes were applied (also used by tests).
  size_t pull_once();

 private:
  void run();

  Storage& storage_;
  VectorIndex& index_;
  int64_t cursor_;
  const int interval_ms_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace charid::registry
