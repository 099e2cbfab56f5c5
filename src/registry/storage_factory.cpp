#include "registry/storage_factory.h"

#include <filesystem>

#include "registry/api_error.h"
#include "registry/postgres_storage.h"
#include "registry/sqlite_storage.h"

namespace charid::registry {

std::unique_ptr<Storage> open_storage(const std::string& data_dir,
                                      const std::string& database_url) {
  if (!database_url.empty()) return std::make_unique<PostgresStorage>(database_url);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) throw StorageError("cannot create data directory " + data_dir + ": " + ec.message());
  return std::make_unique<SqliteStorage>(
      (std::filesystem::path(data_dir) / "registry.sqlite3").string());
}

}  // namespace charid::registry
