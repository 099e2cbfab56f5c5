#include "registry/server_options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>

namespace charid::registry {
namespace {

std::optional<double> to_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !(v >= 0)) return std::nullopt;
  return v;
}

std::optional<int64_t> to_integer(const std::string& s) {
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0) return std::nullopt;
  return v;
}

}  // namespace

// Appends the items of a comma-separated value (empty items skipped).
bool append_list(const std::string& v, std::vector<std::string>& list) {
  size_t start = 0;
  while (start <= v.size()) {
    const size_t comma = v.find(',', start);
    const std::string item = v.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) list.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

// A CSP host or scheme source such as https://media.example, http://127.0.0.1:* or https:
bool is_csp_source(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  for (const unsigned char c : s) {
    if (!(std::isalnum(c) || c == ':' || c == '/' || c == '.' || c == '-' || c == '*' || c == '[' ||
          c == ']')) {
      return false;
    }
  }
  return s.find(':') != std::string::npos;
}

std::string usage() {
  return R"(usage:
  charid-registry [serve] [flags]
  charid-registry admin add-credits --key ck_... --amount N [--data-dir D | --database-url URL]
  charid-registry admin import-vectors --file F --model M --count N [--public] [storage flags]

serve flags (environment in brackets):
  --host H                 [HOST] listen address (127.0.0.1)
  --port P                 [PORT] (8787; 0 picks a free port and prints it)
  --data-dir D             [DATA_DIR] SQLite database folder (./data)
  --database-url URL       [DATABASE_URL] postgres://... for several instances
  --web-root D             built web app (web/dist)
  --models-dir D           model files served at /models/ (models/cache)
  --manifest F             model manifest with the known embeddings (models/manifest.json)
  --cors-origin O          allow this origin to call the API; repeat or comma-separate; * for any
  --media-origin O         let the page fetch videos by URL from this origin (its CSP connect-src,
                           e.g. https://media.example or https:); repeat or comma-separate
  --trust-proxy            take the client address (for the key rate limit) from the
                           last X-Forwarded-For entry; only behind a proxy that sets it
  --credits-per-key N      credits for each new key (default unlimited)
  --keys-per-minute N      new keys per client address (30; 0 = unlimited)
  --creates-per-second N   new characters per key (100; 0 = unlimited)
  --matches-per-second N   match requests per key (100; 0 = unlimited)
  --threads N              HTTP worker threads = concurrent connections served (512)
  --request-timeout-s N    a request (headers and body) must arrive within N s (10); 408 after
  --connections-per-address N  open connections per client address (128; 0 = no cap, e.g.
                           behind a proxy, which then caps them); 429 beyond
  --sync-interval-ms N     PostgreSQL: pull other instances' changes this often (250)
  --purge-interval-s N     PostgreSQL: after deletes, erase their rows from the table files
                           (VACUUM FULL of the vector tables) at most this often (60)
  --change-log-retention-s N  PostgreSQL: keep the shared change log this long (3600);
                           an instance further behind reloads its index
)";
}

std::optional<ParsedArgs> parse_args(int argc, char** argv, std::string* error) {
  ParsedArgs out;
  ServerOptions& o = out.options;
  if (const char* v = std::getenv("HOST"); v && *v) o.host = v;
  if (const char* v = std::getenv("PORT"); v && *v) {
    const auto p = to_integer(v);
    if (!p || *p > 65535) {
      *error = "PORT must be a port number";
      return std::nullopt;
    }
    o.port = static_cast<int>(*p);
  }
  if (const char* v = std::getenv("DATA_DIR"); v && *v) o.data_dir = v;
  if (const char* v = std::getenv("DATABASE_URL"); v && *v) o.database_url = v;

  using Setter = std::function<bool(const std::string&)>;
  // Setters for the common shapes: a path or text, a whole number within
  // bounds, a rate (any number >= 0).
  const auto text = [](std::string& field, bool allow_empty) -> Setter {
    return [&field, allow_empty](const std::string& v) {
      field = v;
      return allow_empty || !v.empty();
    };
  };
  const auto whole = [](int& field, int64_t min, int64_t max) -> Setter {
    return [&field, min, max](const std::string& v) {
      const auto n = to_integer(v);
      if (!n || *n < min || *n > max) return false;
      field = static_cast<int>(*n);
      return true;
    };
  };
  const auto rate = [](double& field) -> Setter {
    return [&field](const std::string& v) {
      const auto n = to_number(v);
      if (n) field = *n;
      return n.has_value();
    };
  };
  const std::map<std::string, Setter> setters = {
      {"--host", text(o.host, false)},
      {"--port", whole(o.port, 0, 65535)},
      {"--data-dir", text(o.data_dir, false)},
      {"--database-url", text(o.database_url, true)},
      {"--web-root", text(o.web_root, true)},
      {"--models-dir", text(o.models_dir, true)},
      {"--manifest", text(o.manifest, false)},
      {"--cors-origin", [&](const std::string& v) { return append_list(v, o.cors_origins); }},
      {"--media-origin",
       [&](const std::string& v) {
         const size_t before = o.media_origins.size();
         append_list(v, o.media_origins);
         // A CSP source expression only: a character such as ; or ' would let a flag rewrite
         // the rest of the policy.
         return std::all_of(o.media_origins.begin() + static_cast<long>(before),
                            o.media_origins.end(), is_csp_source);
       }},
      {"--trust-proxy",
       [&](const std::string&) {
         o.trust_proxy = true;
         return true;
       }},
      {"--credits-per-key",
       [&](const std::string& v) {
         o.credits_per_key = to_integer(v);
         return o.credits_per_key.has_value();
       }},
      {"--keys-per-minute", rate(o.keys_per_minute)},
      {"--creates-per-second", rate(o.creates_per_second)},
      {"--matches-per-second", rate(o.matches_per_second)},
      {"--threads", whole(o.threads, 1, 4096)},
      {"--request-timeout-s", whole(o.request_timeout_s, 1, 3600)},
      {"--connections-per-address", whole(o.connections_per_address, 0, 1 << 20)},
      {"--change-log-retention-s", whole(o.change_log_retention_s, 1, 30 * 86400)},
      {"--sync-interval-ms", whole(o.sync_interval_ms, 10, 60000)},
      {"--purge-interval-s", whole(o.purge_interval_s, 1, 86400)},
  };
  // Flags only subcommands understand; kept verbatim for them.
  const std::map<std::string, bool> subcommand_flags = {{"--key", true},   {"--amount", true},
                                                        {"--file", true},  {"--model", true},
                                                        {"--count", true}, {"--public", false}};

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      out.positional.push_back(arg);
      continue;
    }
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const auto setter = setters.find(arg);
    const auto sub = subcommand_flags.find(arg);
    const bool takes_value = (setter != setters.end() && arg != "--trust-proxy") ||
                             (sub != subcommand_flags.end() && sub->second);
    if (setter == setters.end() && sub == subcommand_flags.end()) {
      *error = "unknown flag " + arg;
      return std::nullopt;
    }
    if (takes_value && !has_value) {
      if (i + 1 >= argc) {
        *error = arg + " needs a value";
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (setter != setters.end()) {
      if (!setter->second(value)) {
        *error = "bad value for " + arg + ": " + value;
        return std::nullopt;
      }
    } else {
      out.extra.emplace_back(arg, value);
    }
  }
  return out;
}

}  // namespace charid::registry
