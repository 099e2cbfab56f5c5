#include "registry/admin_commands.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "registry/api_error.h"
#include "registry/clock.h"
#include "registry/model_catalog.h"
#include "registry/random_token.h"
#include "registry/storage_factory.h"

namespace charid::registry {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "charid-registry admin: %s\n", message.c_str());
  return 2;
}

// --key and --amount are checked by the parser (server_options.cpp).
int add_credits(const ParsedArgs& args) {
  auto storage = open_storage(args.options.data_dir, args.options.database_url);
  const auto balance = storage->add_credits(sha256(args.admin.key), args.admin.amount);
  if (!balance) return fail("no such key");
  const nlohmann::json out = {{"credits", *balance ? nlohmann::json(**balance) : nlohmann::json()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// The file holds `count` rows of the model's dims int8 values, back to back.
int import_vectors(const ParsedArgs& args) {
  std::string error;
  const auto catalog = ModelCatalog::load(args.options.manifest, &error);
  if (!catalog) return fail(error);
  const ModelSpec* spec = catalog->find(args.admin.model);
  if (!spec) return fail("--model must be a model listed in " + args.options.manifest);
  const int64_t count = args.admin.count;  // >= 1, checked by the parser
  std::ifstream in(args.admin.file, std::ios::binary);
  if (!in) return fail("cannot read --file " + args.admin.file);
  const bool is_public = args.admin.is_public;

  auto storage = open_storage(args.options.data_dir, args.options.database_url);
  const std::string key = new_api_key();
  const KeyRecord owner = storage->create_key(sha256(key), std::nullopt, now_rfc3339());
  std::vector<NewCharacter> batch;
  for (int64_t i = 0; i < count; ++i) {
    NewCharacter c;
    c.vector.resize(static_cast<size_t>(spec->dims));
    if (!in.read(reinterpret_cast<char*>(c.vector.data()), spec->dims))
      return fail("--file is too short");
    c.id = new_character_id();
    c.owner_id = owner.id;
    c.name = "imported-" + std::to_string(i);
    c.model = spec->model;
    c.visibility = is_public ? "public" : "private";
    c.created_at = now_rfc3339();
    c.scale = 1.0f / 127.0f;
    c.vector_hash =
        sha256(std::string_view(reinterpret_cast<const char*>(c.vector.data()), c.vector.size()));
    batch.push_back(std::move(c));
    if (batch.size() == 2000 || i + 1 == count) {
      storage->bulk_insert(batch);
      batch.clear();
    }
  }
  std::printf("%s\n", nlohmann::json({{"key", key}, {"imported", count}}).dump().c_str());
  return 0;
}

}  // namespace

int run_admin_command(const ParsedArgs& args) {
  try {
    return args.command == Command::add_credits ? add_credits(args) : import_vectors(args);
  } catch (const StorageError& e) {
    std::fprintf(stderr, "charid-registry admin: %s\n", e.what());
    return 1;
  }
}

}  // namespace charid::registry
