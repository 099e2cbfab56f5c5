// Keeps one instance's index in step with a database that other instances
// also write (PostgreSQL): a background thread pulls committed changes every
// interval, so a character created elsewhere is matchable within a second.
// It also prunes the shared change log now and then, reloads the whole
// index if changes it had not seen were pruned (it fell far behind), and
// after deletes (seen in the change log, whoever made them) has the storage
// erase their rows from the files at most once per `purge_every`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "registry/storage.h"
#include "registry/vector_index.h"

namespace charid::registry {

IndexedCharacter to_indexed(CharacterRecord&& record);

struct SyncOptions {
  int interval_ms = 250;
  int retention_seconds = 3600;  // changes older than this are pruned
  std::chrono::seconds prune_every{60};
  std::chrono::seconds purge_every{60};  // deleted rows erased from the files within this
};

class IndexSync {
 public:
  // `start_thread` false: no background thread; tests call pull_once().
  IndexSync(Storage& storage, VectorIndex& index, int64_t cursor, SyncOptions options,
            bool start_thread = true);
  ~IndexSync();  // stops and joins the thread
  IndexSync(const IndexSync&) = delete;
  IndexSync& operator=(const IndexSync&) = delete;

  // One pull, returning how many changes were applied.
  size_t pull_once();
  size_t reloads() const { return reloads_; }
  // Erases deleted rows if a delete was seen since the last purge.
  void purge_if_pending();

 private:
  void run();
  void reload();

  Storage& storage_;
  VectorIndex& index_;
  int64_t cursor_;
  const SyncOptions options_;
  size_t reloads_ = 0;
  // True at start too: deletes made before a restart may not be purged yet.
  bool purge_pending_ = true;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace charid::registry
