// Command-line flags and environment of `charid-registry serve` and the admin
// subcommands, parsed with CLI11. Flags win over the environment (HOST, PORT,
// DATA_DIR, DATABASE_URL), which wins over defaults. Every value is checked
// while parsing: a bad one is a message naming the flag and exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vector_index.h"

namespace charid::registry {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::string data_dir = "data";
  std::string database_url;  // postgres://... switches storage to PostgreSQL
  std::string web_root = "web/dist";
  std::string models_dir = "models/cache";
  std::string manifest = "models/manifest.json";
  std::vector<std::string> cors_origins;  // empty: CORS off
  // Origins the page may fetch a video from by URL (its CSP connect-src); empty: this server only.
  std::vector<std::string> media_origins;
  bool trust_proxy = false;  // client address from X-Forwarded-For (behind a load balancer)
  std::optional<int64_t> credits_per_key;
  double keys_per_minute = 30;
  double creates_per_second = 100;
  double matches_per_second = 100;
  // cpp-httplib gives each open connection a thread until it closes or idles
  // out (5 s), so this bounds concurrent connections; idle threads cost
  // address space, not CPU.
  int threads = 512;
  // A request must arrive whole (headers and body) within this time, and
  // one client address may hold at most this many connections (0 = no cap;
  // behind a proxy every client shares its address, so the proxy caps them).
  int request_timeout_s = 10;
  int connections_per_address = 128;
  int change_log_retention_s = 3600;  // PostgreSQL: how long the shared change log keeps entries
  int sync_interval_ms = 250;         // PostgreSQL: how often to pull other instances' changes
  // PostgreSQL: deleted characters' rows are erased from the table files
  // (VACUUM FULL of the vector tables) at most this often, after deletes.
  int purge_interval_s = 60;
  // The index keeps the public block resident and reads an owner's block on that owner's first
  // match, into a cache bounded by this many MiB (least recently matched owners dropped first).
  int owner_cache_mb = static_cast<int>(VectorIndex::kDefaultOwnerCacheBytes >> 20);
};

// The operands of the admin subcommands, already checked (a key that looks
// like one, positive amounts and counts).
struct AdminOptions {
  std::string key;       // add-credits
  int64_t amount = 0;    // add-credits, >= 1
  std::string file;      // import-vectors: count rows of the model's dims int8 values
  std::string model;     // import-vectors
  int64_t count = 0;     // import-vectors, >= 1
  bool is_public = false;
};

enum class Command { serve, add_credits, import_vectors };

struct ParsedArgs {
  Command command = Command::serve;
  ServerOptions options;
  AdminOptions admin;
};

// What the command line asks for: the parsed arguments, or a text to print
// and the exit code to leave with (the help on stdout with 0, or an error
// naming the flag and what it needs on stderr with 2).
struct ParseOutcome {
  std::optional<ParsedArgs> args;
  std::string help;
  std::string error;
  int exit_code = 0;
};

ParseOutcome parse_args(int argc, char** argv);

}  // namespace charid::registry
