#include <catch.hpp>

#include <algorithm>

#include "registry/index_sync.h"

using namespace charid::registry;

namespace {

// A shared database in miniature: rows plus a change log that can be pruned.
class FakeSharedStorage : public Storage {
 public:
  void create(const std::string& id, std::vector<int8_t> v, int64_t owner = 1,
              const std::string& visibility = "public") {
    CharacterRecord r;
    r.id = id;
    r.owner_id = owner;
    r.name = id;
    r.model = "m@1";
    r.visibility = visibility;
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
  int64_t load_public(const std::function<void(CharacterRecord&&)>& sink) override {
    for (auto r : rows_) {
      if (r.visibility == "public") sink(std::move(r));
    }
    return seq_;
  }
  void load_owner_vectors(int64_t owner, const std::string& model,
                          const std::function<void(CharacterRecord&&)>& sink) override {
    for (auto r : rows_) {
      if (r.owner_id == owner && r.model == model && r.visibility != "public") sink(std::move(r));
    }
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

TEST_CASE("with owners read on demand, another instance's changes reach cached owners") {
  FakeSharedStorage db;
  VectorIndex index;
  size_t reads = 0;
  index.load_owners_on_demand([&](int64_t owner, const std::string& model, const auto& sink) {
    ++reads;
    db.load_owner_vectors(owner, model,
                          [&](CharacterRecord&& r) { sink(to_indexed(std::move(r))); });
  });
  db.create("pub", kA);
  db.create("mine", kB, 2, "private");
  IndexSync sync(db, index,
                 db.load_public([&](CharacterRecord&& r) { index.add(to_indexed(std::move(r))); }),
                 SyncOptions{}, false);
  sync.pull_once();
  CHECK(index.size() == 1);  // owner 2 has not matched yet
  CHECK(index.search("m@1", kB, 2, 5).size() == 2);
  CHECK(reads == 1);
  // Made elsewhere: owner 2's block is cached, so it follows; owner 3's is not.
  db.create("mine2", kA, 2, "unlisted");
  db.create("theirs", kA, 3, "private");
  CHECK(sync.pull_once() == 2);
  CHECK(index.search("m@1", kA, 2, 5).size() == 3);
  CHECK(reads == 1);
  db.remove("mine");
  sync.pull_once();
  const auto after = index.search("m@1", kB, 2, 5);
  CHECK(after.size() == 2);
  CHECK(std::none_of(after.begin(), after.end(), [](const auto& m) { return m.id == "mine"; }));
  // Owner 3 is read from storage on its first match, with the row made elsewhere.
  const auto three = index.search("m@1", kA, 3, 5);
  CHECK(three.size() == 2);
  CHECK(reads == 2);
  // A reload (the change log was pruned past this instance) keeps the public
  // block only: owners are read again when they match.
  db.create("late", kB, 2, "private");
  db.create("later", kB);
  db.prune_all_but_last();  // "late" was never pulled
  sync.pull_once();
  CHECK(sync.reloads() == 1);
  CHECK(index.stats().owner_blocks == 0);
  CHECK(index.search("m@1", kB, 2, 10).size() == 4);  // pub, later, mine2, late
}
