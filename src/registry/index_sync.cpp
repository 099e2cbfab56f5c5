#include "registry/index_sync.h"

#include <cstdio>

#include "registry/api_error.h"

namespace charid::registry {

IndexedCharacter to_indexed(CharacterRecord&& r) {
  return IndexedCharacter{std::move(r.id), std::move(r.name),        std::move(r.model),
                          r.owner_id,      r.visibility == "public", std::move(r.vector)};
}

IndexSync::IndexSync(Storage& storage, VectorIndex& index, int64_t cursor, SyncOptions options,
                     bool start_thread)
    : storage_(storage), index_(index), cursor_(cursor), options_(options) {
  if (start_thread) thread_ = std::thread([this] { run(); });
}

IndexSync::~IndexSync() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t IndexSync::pull_once() {
  constexpr size_t kBatch = 2000;
  size_t applied = 0;
  // Bounded batches; loop until caught up so a burst elsewhere lands quickly.
  for (int round = 0; round < 100; ++round) {
    ChangeBatch batch = storage_.changes_since(cursor_, kBatch);
    if (batch.gap) {
      reload();
      return applied;
    }
    for (auto& c : batch.changes) {
      if (c.deleted) {
        index_.remove(c.id);
        purge_pending_ = true;
      } else if (c.record) {
        index_.add(to_indexed(std::move(*c.record)));
      }
      cursor_ = c.seq;
      ++applied;
    }
    if (batch.changes.size() < kBatch) break;
  }
  return applied;
}

// Builds a complete index aside and swaps it in, so matches never see a
// half-loaded one.
void IndexSync::reload() {
  VectorIndex fresh(index_.scoring());
  const auto sink = [&fresh](CharacterRecord&& r) { fresh.add(to_indexed(std::move(r))); };
  // An index that reads owners' blocks on demand holds the public ones only.
  const int64_t cursor =
      index_.loads_owners_on_demand() ? storage_.load_public(sink) : storage_.load_all(sink);
  index_.replace_contents(std::move(fresh));
  cursor_ = cursor;
  ++reloads_;
  std::fprintf(stderr, "charid-registry: index sync fell behind the change log; reloaded\n");
}

void IndexSync::purge_if_pending() {
  if (purge_pending_ && storage_.erase_deleted()) purge_pending_ = false;
}

void IndexSync::run() {
  auto next_prune = std::chrono::steady_clock::now() + options_.prune_every;
  auto next_purge = std::chrono::steady_clock::now() + options_.purge_every;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    try {
      pull_once();
      if (std::chrono::steady_clock::now() >= next_prune) {
        storage_.prune_changes(options_.retention_seconds);
        next_prune = std::chrono::steady_clock::now() + options_.prune_every;
      }
      if (std::chrono::steady_clock::now() >= next_purge) {
        next_purge = std::chrono::steady_clock::now() + options_.purge_every;
        purge_if_pending();
      }
    } catch (const StorageError& e) {
      // The database may be restarting; the next round retries from the same cursor.
      std::fprintf(stderr, "charid-registry: index sync: %s\n", e.what());
    }
    lock.lock();
  }
}

}  // namespace charid::registry
