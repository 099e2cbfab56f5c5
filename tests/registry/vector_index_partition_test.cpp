// The partitioned index (a public block per model, a block per owner read on
// demand into a bounded cache) against a brute-force scan of everything the
// caller may see: owners and public mixed, deletes and added models
// included, with the cache large and small, and reads of an owner's block
// racing with creates and deletes. Scores come from score_pair, the same
// scoring a row gets in a block, so answers must be equal to the bit.
#include <catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "registry/index_sync.h"
#include "registry/random_vector.h"
#include "registry/sqlite_storage.h"
#include "registry/vector_index.h"

using namespace charid;
using namespace charid::registry;

namespace {

constexpr size_t kCosineDims = 96;
constexpr size_t kPartDims = 163;

ScoringTable scoring_table() {
  ModelScoring s;
  s.parts = {{"body", 0, 64}, {"face", 64, 64}, {"colour", 128, 35}};
  s.rule = {SimilarityKind::face_led, "face", 0.8};
  return ScoringTable{{"fl@1", s}};
}

size_t dims_of(const std::string& model) { return model == "fl@1" ? kPartDims : kCosineDims; }

// What storage holds, as the index's owner source reads it.
struct Rows {
  std::map<std::string, IndexedCharacter> by_key;  // id + "/" + model

  void put(const IndexedCharacter& c) { by_key[c.id + "/" + c.model] = c; }
  void erase(const std::string& id) {
    for (auto it = by_key.begin(); it != by_key.end();) {
      it = it->second.id == id ? by_key.erase(it) : std::next(it);
    }
  }
  void owner_rows(int64_t owner, const std::string& model,
                  const std::function<void(IndexedCharacter&&)>& sink) const {
    for (const auto& [key, c] : by_key) {
      if (c.owner_id == owner && c.model == model && !c.is_public) sink(IndexedCharacter(c));
    }
  }
};

std::vector<IndexMatch> brute_force(const VectorIndex& index, const Rows& rows,
                                    const std::string& model, const std::vector<int8_t>& query,
                                    int64_t caller, size_t k) {
  std::vector<IndexMatch> all;
  for (const auto& [key, c] : rows.by_key) {
    if (c.model != model || !(c.is_public || c.owner_id == caller)) continue;
    all.push_back({c.id, c.name, index.score_pair(model, query, c.vector)});
  }
  std::sort(all.begin(), all.end(), [](const IndexMatch& a, const IndexMatch& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  if (all.size() > k) all.resize(k);
  return all;
}

void check_same(const std::vector<IndexMatch>& found, const std::vector<IndexMatch>& expected) {
  REQUIRE(found.size() == expected.size());
  for (size_t i = 0; i < found.size(); ++i) {
    CHECK(found[i].id == expected[i].id);
    CHECK(found[i].name == expected[i].name);
    CHECK(found[i].score == expected[i].score);
  }
}

// Random creates (public, private, unlisted; some add a second model), deletes
// and matches, each match checked against the brute force.
void run_mixed_workload(VectorIndex& index, Rows& rows, uint32_t seed, int steps) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> owner_of(1, 12);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<std::string> live;
  int next_id = 0;
  for (int step = 0; step < steps; ++step) {
    const int roll = percent(rng);
    if (roll < 45) {
      const int p = percent(rng);
      const std::string visibility = p < 30 ? "public" : p < 80 ? "private" : "unlisted";
      const std::string model = percent(rng) < 70 ? "m@1" : "fl@1";
      IndexedCharacter c{
          "c" + std::to_string(next_id++), "n" + std::to_string(step),        model, owner_of(rng),
          visibility == "public",          random_vector(rng, dims_of(model))};
      if (step % 7 == 0) {  // a near-copy of another row, so close scores occur
        for (size_t i = 0; i + 1 < c.vector.size(); i += 2) c.vector[i] = 0;
      }
      rows.put(c);
      index.add(c);  // as the service does after the commit
      live.push_back(c.id);
      if (percent(rng) < 20) {  // a vector of the other model added later
        IndexedCharacter more = c;
        more.model = model == "m@1" ? "fl@1" : "m@1";
        more.vector = random_vector(rng, dims_of(more.model));
        rows.put(more);
        index.add(more);
      }
    } else if (roll < 60 && !live.empty()) {
      const size_t at = std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng);
      rows.erase(live[at]);
      index.remove(live[at]);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
    } else {
      const std::string model = percent(rng) < 60 ? "m@1" : "fl@1";
      const auto query = random_vector(rng, dims_of(model));
      const int64_t caller = std::uniform_int_distribution<int64_t>(1, 14)(rng);  // 13, 14: none
      const size_t k = std::uniform_int_distribution<size_t>(1, 12)(rng);
      check_same(index.search(model, query, caller, k),
                 brute_force(index, rows, model, query, caller, k));
    }
  }
}

}  // namespace

TEST_CASE("every block resident: matches equal a brute-force scan") {
  VectorIndex index(scoring_table());
  Rows rows;
  run_mixed_workload(index, rows, 21, 3000);
}

TEST_CASE("owners read on demand into a large cache: the same answers") {
  VectorIndex index(scoring_table());
  Rows rows;
  index.load_owners_on_demand([&rows](int64_t owner, const std::string& model, const auto& sink) {
    rows.owner_rows(owner, model, sink);
  });
  run_mixed_workload(index, rows, 22, 3000);
  const auto stats = index.stats();
  CHECK(stats.owner_loads > 0);
  CHECK(stats.owner_evictions == 0);
}

TEST_CASE("a cache smaller than the owners: evicted owners are read again, answers unchanged") {
  constexpr size_t kBound = 24u << 10;  // a few owners' blocks of the 24 (12 owners, 2 models)
  VectorIndex index(scoring_table());
  Rows rows;
  index.load_owners_on_demand([&rows](int64_t owner, const std::string& model,
                                      const auto& sink) { rows.owner_rows(owner, model, sink); },
                              kBound);
  run_mixed_workload(index, rows, 23, 3000);
  const auto stats = index.stats();
  CHECK(stats.owner_evictions > 0);
  CHECK(stats.owner_loads > stats.owner_evictions);
  // Within the bound, or only the block read last (which stays even when larger).
  CHECK((stats.owner_cache_bytes <= kBound || stats.owner_blocks == 1));
}

TEST_CASE("memory follows the public set and the owners who matched") {
  std::mt19937 rng(24);
  VectorIndex index;
  Rows rows;
  index.load_owners_on_demand([&rows](int64_t owner, const std::string& model, const auto& sink) {
    rows.owner_rows(owner, model, sink);
  });
  for (int i = 0; i < 400; ++i) {
    IndexedCharacter c{"c" + std::to_string(i),        "n", "m@1", 1 + i % 100, i < 40,
                       random_vector(rng, kCosineDims)};
    rows.put(c);
    index.add(c);  // a private row of an owner not cached is left to storage
  }
  CHECK(index.size() == 40);
  const auto q = random_vector(rng, kCosineDims);
  check_same(index.search("m@1", q, 7, 50), brute_force(index, rows, "m@1", q, 7, 50));
  CHECK(index.size() == 43);  // owner 7's three private rows joined the public forty
  const auto stats = index.stats();
  CHECK(stats.public_rows == 40);
  CHECK(stats.owner_blocks == 1);
  CHECK(stats.owner_rows == 3);
  // A second match is served from the cache.
  index.search("m@1", q, 7, 5);
  CHECK(index.stats().owner_loads == 1);
  // An owner with no rows of the model is cached empty, not read every time.
  index.search("m@1", q, 999, 5);
  index.search("m@1", q, 999, 5);
  CHECK(index.stats().owner_loads == 2);
}

TEST_CASE("creates and deletes that land while an owner's block is being read are kept") {
  std::mt19937 rng(25);
  VectorIndex index;
  Rows rows;
  std::function<void()> during_read;
  index.load_owners_on_demand([&](int64_t owner, const std::string& model, const auto& sink) {
    std::vector<IndexedCharacter> snapshot;
    rows.owner_rows(owner, model, [&](IndexedCharacter&& c) { snapshot.push_back(c); });
    if (during_read) during_read();  // committed after the read began
    for (auto& c : snapshot) sink(std::move(c));
  });
  for (int i = 0; i < 10; ++i) {
    IndexedCharacter c{"old" + std::to_string(i),      "n", "m@1", 5, false,
                       random_vector(rng, kCosineDims)};
    rows.put(c);
  }
  const IndexedCharacter fresh{"new", "N", "m@1", 5, false, random_vector(rng, kCosineDims)};
  during_read = [&] {
    rows.put(fresh);
    index.add(fresh);
    rows.erase("old3");
    index.remove("old3");
  };
  const auto found = index.search("m@1", fresh.vector, 5, 50);
  during_read = nullptr;
  check_same(found, brute_force(index, rows, "m@1", fresh.vector, 5, 50));
  REQUIRE(found.size() == 10);
  CHECK(found[0].id == "new");
  CHECK(std::none_of(found.begin(), found.end(), [](const auto& m) { return m.id == "old3"; }));
}

TEST_CASE("SQLite gives an owner's non-public vectors of one model, creation and added") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("charid-partition-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  {
    SqliteStorage db((dir / "registry.sqlite3").string());
    const int64_t alice = db.create_key("ha", std::nullopt, "t").id;
    const int64_t bob = db.create_key("hb", std::nullopt, "t").id;
    std::mt19937 rng(26);
    const auto make = [&](const std::string& id, int64_t owner, const std::string& visibility) {
      NewCharacter c;
      c.id = id;
      c.owner_id = owner;
      c.name = id;
      c.model = "m@1";
      c.visibility = visibility;
      c.created_at = "t";
      c.scale = 1;
      c.vector = random_vector(rng, kCosineDims);
      c.vector_hash = id;
      REQUIRE(db.create_character(c).status == CreateOutcome::Status::created);
    };
    make("a_private", alice, "private");
    make("a_unlisted", alice, "unlisted");
    make("a_public", alice, "public");
    make("b_private", bob, "private");
    REQUIRE(db.add_vector("a_public", alice, {"m@2", 1, random_vector(rng, 8)}, "t") ==
            AddVectorOutcome::added);
    REQUIRE(db.add_vector("a_private", alice, {"m@2", 1, random_vector(rng, 8)}, "t") ==
            AddVectorOutcome::added);

    const auto ids = [&](int64_t owner, const std::string& model) {
      std::vector<std::string> out;
      db.load_owner_vectors(owner, model, [&](CharacterRecord&& r) {
        CHECK(r.model == model);
        CHECK(r.owner_id == owner);
        CHECK(r.vector.size() == (model == "m@1" ? kCosineDims : 8));
        out.push_back(r.id);
      });
      std::sort(out.begin(), out.end());
      return out;
    };
    CHECK(ids(alice, "m@1") == std::vector<std::string>{"a_private", "a_unlisted"});
    CHECK(ids(alice, "m@2") == std::vector<std::string>{"a_private"});
    CHECK(ids(bob, "m@1") == std::vector<std::string>{"b_private"});
    CHECK(ids(bob, "m@2").empty());

    std::vector<std::string> public_ids;
    db.load_public([&](CharacterRecord&& r) { public_ids.push_back(r.id + "/" + r.model); });
    std::sort(public_ids.begin(), public_ids.end());
    CHECK(public_ids == std::vector<std::string>{"a_public/m@1", "a_public/m@2"});

    CHECK(db.delete_character("a_private", alice));
    CHECK(ids(alice, "m@2").empty());
  }
  std::filesystem::remove_all(dir);
}
