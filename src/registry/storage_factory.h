// Picks the storage backend: PostgreSQL when a database URL is given,
// otherwise SQLite in DATA_DIR (created if missing).
#pragma once

#include <memory>
#include <string>

#include "registry/storage.h"

namespace charid::registry {

// Throws StorageError when the database cannot be opened or reached.
std::unique_ptr<Storage> open_storage(const std::string& data_dir, const std::string& database_url);

}  // namespace charid::registry
