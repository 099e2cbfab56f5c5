#include "registry/index_sync.h"

#include <chrono>
#include <cstdio>

#include "registry/api_error.h"
#include "registry/storage.h"
#include "registry/vector_index.h"

namespace charid::registry {

IndexSync::IndexSync(Storage& storage, VectorIndex& index, int64_t cursor, int interval_ms)
    : storage_(storage), index_(index), cursor_(cursor), interval_ms_(interval_ms) {
  thread_ = std::thread([this] { run(); });
}

IndexSync::~IndexSync() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

size_t IndexSync::pull_once() {
  size_t applied = 0;
  // Bounded batches; loop until caught up so a burst elsewhere lands quickly.
  for (int round = 0; round < 100; ++round) {
    auto changes = storage_.changes_since(cursor_, 2000);
    for (auto& c : changes) {
      if (c.deleted) {
        index_.remove(c.id);
      } else if (c.record) {
        CharacterRecord& r = *c.record;
        index_.add(IndexedCharacter{r.id, r.name, r.model, r.owner_id, r.visibility == "public",
                                    std::move(r.vector)});
      }
      cursor_ = c.seq;
      ++applied;
    }
    if (changes.size() < 2000) break;
  }
  return applied;
}

void IndexSync::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    try {
      pull_once();
    } catch (const StorageError& e) {
      // The database may be restarting; the next round retries from the same cursor.
      std::fprintf(stderr, "charid-registry: index sync: %s\n", e.what());
    }
    lock.lock();
  }
}

}  // namespace charid::registry
