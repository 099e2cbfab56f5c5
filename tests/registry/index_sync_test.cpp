#include <catch.hpp>

#include <algorithm>

#include "registry/index_sync.h"

using namespace charid::registry;

namespace {

// A shared database in miniature: rows plus a change log that can be pruned.
class FakeSharedStorage : public Storage {
 public:
  void create(const std::string& id, std::vector<int8_t> v) {
    CharacterRecord r;
    r.id = id;
    r.owner_id = 1;
    r.name = id;
    r.model = "m@1";
    r.visibility = "public";
    r.seq = ++seq_;
    r.vector = std::move(v);
    rows_.push_back(r);
    log_.push_back({seq_, id, false, r});
  }
  void remove(const std::string& id) {
    rows_.erase(std::remove_if(rows_.begin(), rows_.end(), [&](auto& r) { return r.id == id; }),
                rows_.end());
    log_.push_back({++seq_, id, true, std::nullopt});
  }
  void prune_all_but_last() { log_.erase(log_.begin(), log_.end() - 1); }

  ChangeBatch changes_since(int64_t cursor, size_t limit) override {
    ChangeBatch out;
    if (!log_.empty() && log_.front().seq > cursor + 1) {
      out.gap = true;
      return out;
    }
    for (const auto& c : log_) {
      if (c.seq > cursor && out.changes.size() < limit) out.changes.push_back(c);
    }
    return out;
  }
  int64_t load_all(const std::function<void(CharacterRecord&&)>& sink) override {
    for (auto r : rows_) sink(std::move(r));
    return seq_;
  }

  // Not used by IndexSync.
  void ping() override {}
  KeyRecord create_key(const std::string&, std::optional<int64_t>, const std::string&) override {
    return {};
  }
  std::optional<KeyRecord> find_key(const std::string&) override { return std::nullopt; }
  std::optional<std::optional<int64_t>> add_credits(const std::string&, int64_t) override {
    return std::nullopt;
  }
  CreateOutcome create_character(const NewCharacter&) override { return {}; }
  void bulk_insert(const std::vector<NewCharacter>&) override {}
  std::optional<CharacterRecord> find_character(const std::string&) override {
    return std::nullopt;
  }
  std::vector<CharacterRecord> list_characters(int64_t, size_t, std::optional<int64_t>) override {
    return {};
  }
  bool delete_character(const std::string&, int64_t) override { return false; }
  AddVectorOutcome add_vector(const std::string&, int64_t, const ModelVector&,
                              const std::string&) override {
    return AddVectorOutcome::not_found;
  }
  std::optional<ModelVector> find_vector(const std::string&, const std::string&) override {
    return std::nullopt;
  }
  bool shared_between_processes() const override { return true; }

 private:
  int64_t seq_ = 0;
  std::vector<CharacterRecord> rows_;
  std::vector<Change> log_;
};

const std::vector<int8_t> kA = {1, 2, 3, 4};
const std::vector<int8_t> kB = {-4, 3, -2, 1};

}  // namespace

TEST_CASE("changes made elsewhere reach the index, deletes included") {
  FakeSharedStorage db;
  VectorIndex index;
  IndexSync sync(db, index, db.load_all([](CharacterRecord&&) {}), SyncOptions{}, false);
  db.create("a", kA);
  db.create("b", kB);
  CHECK(sync.pull_once() == 2);
  CHECK(index.size() == 2);
  db.remove("a");
  CHECK(sync.pull_once() == 1);
  CHECK(index.size() == 1);
  CHECK(index.search("m@1", kA, 2, 5)[0].id == "b");
  CHECK(sync.pull_once() == 0);
  CHECK(sync.reloads() == 0);
}

TEST_CASE("an instance behind a pruned change log reloads everything") {
  FakeSharedStorage db;
  VectorIndex index;
  IndexSync sync(db, index, 0, SyncOptions{}, false);
  db.create("a", kA);
  db.create("b", kB);
  db.create("c", kA);
  db.remove("c");
  db.prune_all_but_last();  // this instance never saw a, b or c
  sync.pull_once();
  CHECK(sync.reloads() == 1);
  CHECK(index.size() == 2);
  db.create("d", kB);
  CHECK(sync.pull_once() == 1);  // and carries on from the reloaded cursor
  CHECK(index.size() == 3);
  CHECK(sync.reloads() == 1);
}
