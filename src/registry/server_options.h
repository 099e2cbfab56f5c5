// Command-line flags and environment of `charid-registry serve` and the admin
// subcommands. Flags win over the environment (HOST, PORT, DATA_DIR,
// DATABASE_URL), which wins over defaults.
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  int sync_interval_ms = 250;
  // PostgreSQL: deleted characters' rows are erased from the table files
  // (VACUUM FULL of the vector tables) at most this often, after deletes.
  int purge_interval_s = 60;  // PostgreSQL: how often to pull other instances' changes
};

struct ParsedArgs {
  ServerOptions options;
  std::vector<std::string> positional;                     // subcommand words and their operands
  std::vector<std::pair<std::string, std::string>> extra;  // flags a subcommand reads itself
};

// nullopt with `error` set on an unknown flag or a bad value.
std::optional<ParsedArgs> parse_args(int argc, char** argv, std::string* error);

std::string usage();

}  // namespace charid::registry
