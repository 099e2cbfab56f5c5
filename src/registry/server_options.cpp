#include "registry/server_options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace charid::registry {
namespace {

// Decimal digits only, at most 18 (so no overflow): CLI11's own conversion
// would also take "0x10", "1e3" as 1000 for a float, or saturate
// "99999999999999999999" to the largest integer.
std::optional<int64_t> parse_whole(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isdigit(c) != 0;
      })) {
    return std::nullopt;
  }
  return std::strtoll(s.c_str(), nullptr, 10);
}

// A plain decimal number such as 30, 0.5 or 1e3; never inf, nan or hex.
std::optional<double> parse_rate(const std::string& s) {
  if (s.empty() || s.size() > 32 || !std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isdigit(c) != 0 || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
      })) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

CLI::Validator whole_number(int64_t min, int64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& v) -> std::string {
        const auto n = parse_whole(v);
        if (n && *n >= min && *n <= max) return {};
        return "\"" + v + "\" is not a whole number from " + range;
      },
      "");
}

const CLI::Validator kRate(
    [](std::string& v) -> std::string {
      if (parse_rate(v)) return {};
      return "\"" + v + "\" is not a number >= 0";
    },
    "");

const CLI::Validator kNonEmpty(
    [](std::string& v) -> std::string { return v.empty() ? "needs a non-empty value" : ""; },
    "");

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

// The items of a comma-separated value (empty items skipped).
std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> items;
  std::stringstream in(v);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// A media origin goes into the page's CSP: a character such as ; or ' would
// let a flag rewrite the rest of the policy.
const CLI::Validator kCspSources(
    [](std::string& v) -> std::string {
      for (const std::string& item : split_list(v)) {
        if (!is_csp_source(item)) {
          return "\"" + item + "\" is not a CSP source such as https://media.example or https:";
        }
      }
      return {};
    },
    "");

const CLI::Validator kApiKey(
    [](std::string& v) -> std::string {
      return v.rfind("ck_", 0) == 0 ? "" : "an API key starts with ck_";
    },
    "");

void append_items(const std::vector<std::string>& raw, std::vector<std::string>& out) {
  for (const std::string& v : raw) {
    for (std::string& item : split_list(v)) out.push_back(std::move(item));
  }
}

// The option a CLI11 error is about: its messages start with "--name: ".
std::string option_of(const CLI::Error& e) {
  const std::string what = e.what();
  return what.substr(0, what.find(':'));
}

// CLI11's errors in the words the registry has always used ("unknown flag
// X", "bad value for X: ...", "X needs a value"); a flag that has an
// environment variable names it too, since the value may have come from there.
std::string describe(const CLI::ParseError& e, const CLI::App& app) {
  if (dynamic_cast<const CLI::ValidationError*>(&e) || dynamic_cast<const CLI::ConversionError*>(&e)) {
    const std::string name = option_of(e);
    const CLI::Option* option = app.get_option_no_throw(name);
    const std::string env =
        option && !option->get_envname().empty() ? " [" + option->get_envname() + "]" : "";
    return "bad value for " + name + env + std::string(e.what()).substr(name.size());
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) return option_of(e) + " needs a value";
  return e.what();
}

}  // namespace

ParseOutcome parse_args(int argc, char** argv) {
  ParsedArgs out;
  ServerOptions& o = out.options;
  AdminOptions& a = out.admin;
  std::vector<std::string> cors_raw;
  std::vector<std::string> media_raw;
  std::string credits_per_key;

  CLI::App app("charid-registry: the character ID registry (API v1, the web app and its model "
               "files), or an admin command on its storage.",
               "charid-registry");
  app.get_formatter()->column_width(40);
  app.footer(
      "usage:\n"
      "  charid-registry [serve] [flags]\n"
      "  charid-registry admin add-credits --key ck_... --amount N [--data-dir D | --database-url URL]\n"
      "  charid-registry admin import-vectors --file F --model M --count N [--public] [storage flags]\n"
      "Flags win over the environment (Env:), which wins over the defaults.");
  // Leftover words and flags are reported below in plain words.
  app.allow_extras();
  // A flag with one value (the last one given wins); `type` names it in the help.
  const auto value = [&app](const std::string& name, auto& field, const std::string& type,
                            const std::string& help) {
    return app.add_option(name, field, help)
        ->type_name(type)
        ->capture_default_str()
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  value("--host", o.host, "H", "listen address")->envname("HOST")->check(kNonEmpty);
  value("--port", o.port, "P", "0 picks a free port and prints it")
      ->envname("PORT")
      ->check(whole_number(0, 65535));
  value("--data-dir", o.data_dir, "D", "SQLite database folder")->envname("DATA_DIR")->check(kNonEmpty);
  value("--database-url", o.database_url, "URL", "postgres://... for several instances")
      ->envname("DATABASE_URL");
  value("--web-root", o.web_root, "D", "built web app");
  value("--models-dir", o.models_dir, "D", "model files served at /models/");
  value("--manifest", o.manifest, "F", "model manifest with the known embeddings")->check(kNonEmpty);
  app.add_option("--cors-origin", cors_raw,
                 "allow this origin to call the API; repeat or comma-separate; * for any (the "
                 "model files at /models/ are open to any origin)")
      ->type_name("O")
      ->allow_extra_args(false);
  app.add_option("--media-origin", media_raw,
                 "let the page fetch videos by URL from this origin (its CSP connect-src, e.g. "
                 "https://media.example or https:); repeat or comma-separate")
      ->type_name("O")
      ->allow_extra_args(false)
      ->check(kCspSources);
  app.add_flag("--trust-proxy", o.trust_proxy,
               "take the client address (for the key rate limit) from the last X-Forwarded-For "
               "entry; only behind a proxy that sets it");
  value("--credits-per-key", credits_per_key, "N", "credits for each new key (default unlimited)")
      ->check(whole_number(0, 999999999999999999));
  struct RateFlag {
    const char* name;
    double* field;
    const char* help;
  };
  for (const RateFlag& f : {
           RateFlag{"--keys-per-minute", &o.keys_per_minute,
                    "new keys per client address (0 = unlimited)"},
           RateFlag{"--creates-per-second", &o.creates_per_second,
                    "new characters per key (0 = unlimited)"},
           RateFlag{"--matches-per-second", &o.matches_per_second,
                    "match requests per key (0 = unlimited)"},
       }) {
    value(f.name, *f.field, "N", f.help)->check(kRate);
  }
  struct WholeFlag {
    const char* name;
    int* field;
    int64_t min;
    int64_t max;
    const char* help;
  };
  for (const WholeFlag& f : {
           WholeFlag{"--threads", &o.threads, 1, 4096,
                     "HTTP worker threads = concurrent connections served"},
           WholeFlag{"--request-timeout-s", &o.request_timeout_s, 1, 3600,
                     "a request (headers and body) must arrive within N s; 408 after"},
           WholeFlag{"--connections-per-address", &o.connections_per_address, 0, 1 << 20,
                     "open connections per client address (0 = no cap, e.g. behind a proxy, "
                     "which then caps them); 429 beyond"},
           WholeFlag{"--sync-interval-ms", &o.sync_interval_ms, 10, 60000,
                     "PostgreSQL: pull other instances' changes this often"},
           WholeFlag{"--purge-interval-s", &o.purge_interval_s, 1, 86400,
                     "PostgreSQL: after deletes, erase their rows from the table files (VACUUM "
                     "FULL of the vector tables) at most this often"},
           WholeFlag{"--owner-cache-mb", &o.owner_cache_mb, 1, 1 << 20,
                     "memory for owners' blocks of the index, read on an owner's first match "
                     "(the public block is always resident)"},
           WholeFlag{"--change-log-retention-s", &o.change_log_retention_s, 1, 30 * 86400,
                     "PostgreSQL: keep the shared change log this long; an instance further "
                     "behind reloads its index"},
       }) {
    value(f.name, *f.field, "N", f.help)->check(whole_number(f.min, f.max));
  }

  // Subcommands see the flags above (fallthrough), in any order.
  CLI::App* serve = app.add_subcommand("serve", "serve HTTP (the default)")->fallthrough();
  CLI::App* admin = app.add_subcommand(
                           "admin", "operator commands on the storage: add-credits, import-vectors")
                        ->fallthrough();
  serve->allow_extras();
  admin->allow_extras();
  CLI::App* add_credits =
      admin->add_subcommand("add-credits", "add credits to a key")->fallthrough()->allow_extras();
  add_credits->add_option("--key", a.key, "the API key")->type_name("ck_...")->required()->check(kApiKey);
  add_credits->add_option("--amount", a.amount, "credits to add")
      ->type_name("N")
      ->required()
      ->check(whole_number(1, 999999999999999999));
  CLI::App* import = admin
                         ->add_subcommand("import-vectors",
                                          "store rows of int8 vectors under a new key (benchmarks)")
                         ->fallthrough()
                         ->allow_extras();
  import->add_option("--file", a.file, "count rows of the model's dims int8 values")
      ->type_name("F")
      ->required()
      ->check(kNonEmpty);
  import->add_option("--model", a.model, "a model of the manifest")->type_name("M")->required()->check(kNonEmpty);
  import->add_option("--count", a.count, "rows to import")
      ->type_name("N")
      ->required()
      ->check(whole_number(1, int64_t{1} << 40));
  import->add_flag("--public", a.is_public, "make them public");
  app.require_subcommand(0, 1);
  admin->require_subcommand(0, 1);

  ParseOutcome outcome;
  const auto fail = [&outcome](std::string message) {
    outcome.error = std::move(message);
    outcome.exit_code = 2;
    return outcome;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // The help of the innermost subcommand named, or of the whole program.
    const CLI::App* shown = &app;
    for (const CLI::App* sub : {serve, admin, add_credits, import}) {
      if (sub->parsed()) shown = sub;
    }
    outcome.help = shown->help();
    return outcome;
  } catch (const CLI::ParseError& e) {
    return fail(describe(e, app));
  }
  const std::vector<std::string> leftover = app.remaining(true);
  if (!leftover.empty()) {
    const std::string& first = leftover.front();
    if (first.rfind("-", 0) == 0) return fail("unknown flag " + first);
    if (admin->parsed() && !add_credits->parsed() && !import->parsed()) {
      return fail("unknown admin command \"" + first + "\" (add-credits or import-vectors)");
    }
    return fail("unknown command \"" + first + "\" (serve or admin)");
  }
  if (admin->parsed() && !add_credits->parsed() && !import->parsed()) {
    return fail("admin needs a command: add-credits or import-vectors");
  }
  append_items(cors_raw, o.cors_origins);
  append_items(media_raw, o.media_origins);
  if (!credits_per_key.empty()) o.credits_per_key = parse_whole(credits_per_key);
  out.command = add_credits->parsed() ? Command::add_credits
                : import->parsed()    ? Command::import_vectors
                                      : Command::serve;
  outcome.args = std::move(out);
  return outcome;
}

}  // namespace charid::registry
