#include "registry/api_routes.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "registry/guarded_server.h"
#include "registry/registry_service.h"

namespace charid::registry {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";
// Said from kMaxBodyBytes, so the limit and its message cannot drift apart.
const std::string kTooLargeMessage =
    "The body is over " + std::to_string(kMaxBodyBytes / 1024) + " KB.";
constexpr size_t kMaxDrainBytes = 16 * 1024 * 1024;

std::string dump(const json& value) {
  // Replace rather than throw on invalid UTF-8: a response must always go out.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  json error = {{"code", e.code}, {"message", e.message}};
  if (!e.models.empty()) error["models"] = e.models;
  res.set_content(dump({{"error", error}}), kJson);
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), kJson);
}

json character_json(const CharacterRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"created_at", r.created_at},
          {"model", r.model},
          {"models", r.models},
          {"visibility", r.visibility},
          {"consent", r.consent ? json{{"basis", r.consent->basis},
                                       {"recorded_at", r.consent->recorded_at}}
                                : json()}};
}

// ASCII only, byte by byte: ::tolower on a plain char is undefined for bytes
// >= 0x80 (negative), which a header may well hold.
void lowercase_ascii(std::string& text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

bool is_json_content_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  lowercase_ascii(type);
  const std::string_view want = "application/json";
  if (type.compare(0, want.size(), want) != 0) return false;
  return type.size() == want.size() || type[want.size()] == ';' || type[want.size()] == ' ';
}

// Content type first (415), then syntax (400): the order a client fixes them in.
ApiResult<json> parse_json_body(const httplib::Request& req, const std::string& text) {
  if (!is_json_content_type(req)) {
    return ApiError{415, "unsupported_media_type", "Send the body as application/json."};
  }
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return ApiError{400, "invalid_json", "The body is not valid JSON."};
  if (!body.is_object()) return bad_request("The body must be a JSON object.");
  return body;
}

// Bodies are read here rather than by cpp-httplib: 0.11 does not bound a
// chunked body, and waits for the connection to close (its read timeout)
// when a POST has neither Content-Length nor chunked encoding, where HTTP
// says the body is empty. A body over the limit is still read to its end
// (and dropped), so the next request on a kept-alive connection starts
// where it should; past kMaxDrainBytes the read is abandoned.
ApiResult<std::string> read_body(const httplib::Request& req,
                                 const httplib::ContentReader& reader) {
  const ApiError too_large{413, "payload_too_large", kTooLargeMessage};
  std::string encoding = req.get_header_value("Transfer-Encoding");
  lowercase_ascii(encoding);
  const bool chunked = encoding.find("chunked") != std::string::npos;
  bool declared_too_large = false;
  if (!chunked) {
    if (!req.has_header("Content-Length")) return std::string();
    const std::string length = req.get_header_value("Content-Length");
    char* end = nullptr;
    const unsigned long long n = std::strtoull(length.c_str(), &end, 10);
    if (length.empty() || *end != '\0') return bad_request("Content-Length is not a number.");
    // cpp-httplib skips such a body itself (payload_max_length) and reports failure.
    declared_too_large = n > kMaxBodyBytes;
  }
  std::string body;
  size_t received = 0;
  const bool complete = reader([&](const char* data, size_t size) {
    received += size;
    if (received <= kMaxBodyBytes) body.append(data, size);
    return received <= kMaxDrainBytes;
  });
  if (declared_too_large || received > kMaxBodyBytes) return too_large;
  if (!complete && request_deadline_passed()) {
    return ApiError{408, "request_timeout",
                    "The request did not arrive in time; send the body in one go."};
  }
  if (!complete) return bad_request("The body could not be read.");
  return body;
}

// Storage outages and bugs become JSON 503/500 instead of a dropped connection.
template <typename Fn>
void guard(httplib::Response& res, Fn fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    std::fprintf(stderr, "charid-registry: storage error: %s\n", e.what());
    send_error(res, {503, "storage_unavailable", "The database is unavailable; retry shortly."});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "charid-registry: internal error: %s\n", e.what());
    send_error(res, {500, "internal", "Internal error."});
  }
}

template <typename Fn>
httplib::Server::Handler guarded(Fn fn) {
  return [fn](const httplib::Request& req, httplib::Response& res) {
    guard(res, [&] { fn(req, res); });
  };
}

// A POST route: the body is read (bounded) before anything else, so a
// refused request never leaves unread bytes on a kept-alive connection.
template <typename Fn>
httplib::Server::HandlerWithContentReader with_body(Fn fn) {
  return [fn](const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader) {
    guard(res, [&] {
      auto body = read_body(req, reader);
      if (!body.ok()) return send_error(res, body.error());
      fn(req, body.value(), res);
    });
  };
}

// Runs `fn(caller, ...)` for an authenticated request, else answers 401.
template <typename Fn>
httplib::Server::Handler authed(RegistryService& service, Fn fn) {
  return guarded([&service, fn](const httplib::Request& req, httplib::Response& res) {
    auto caller = service.authenticate(req.get_header_value("Authorization"));
    if (!caller.ok()) return send_error(res, caller.error());
    fn(caller.value(), req, res);
  });
}

// An authenticated POST whose body must be a JSON object: runs
// `fn(caller, body, res)` (or `fn(caller, body, req, res)`) once the body is read, authorised and parsed.
template <typename Fn>
httplib::Server::HandlerWithContentReader authed_json(RegistryService& service, Fn fn) {
  return with_body(
      [&service, fn](const httplib::Request& req, const std::string& text, httplib::Response& res) {
        auto caller = service.authenticate(req.get_header_value("Authorization"));
        if (!caller.ok()) return send_error(res, caller.error());
        auto body = parse_json_body(req, text);
        if (!body.ok()) return send_error(res, body.error());
        // Routes with a path parameter also take the request (its matches).
        if constexpr (std::is_invocable_v<Fn, const KeyRecord&, const json&,
                                          const httplib::Request&, httplib::Response&>) {
          fn(caller.value(), body.value(), req, res);
        } else {
          fn(caller.value(), body.value(), res);
        }
      });
}

std::string client_address(const httplib::Request& req, bool trust_proxy) {
  const std::string forwarded = req.get_header_value("X-Forwarded-For");
  if (!trust_proxy || forwarded.empty()) return req.remote_addr;
  std::string last = forwarded.substr(forwarded.rfind(',') + 1);
  last.erase(0, last.find_first_not_of(' '));
  last.erase(last.find_last_not_of(' ') + 1);
  return last.empty() ? req.remote_addr : last;
}

}  // namespace

void install_api_routes(httplib::Server& server, RegistryService& service, bool trust_proxy) {
  server.Get("/healthz", guarded([&service](const httplib::Request&, httplib::Response& res) {
               if (service.healthy()) return send_json(res, 200, {{"status", "ok"}});
               send_error(res, {503, "storage_unavailable", "The database is unreachable."});
             }));

  server.Post("/v1/keys",
              with_body([&service, trust_proxy](const httplib::Request& req,
                                                const std::string& body, httplib::Response& res) {
                // The body is optional; when there is one it must be JSON.
                if (!body.empty()) {
                  auto parsed = parse_json_body(req, body);
                  if (!parsed.ok()) return send_error(res, parsed.error());
                }
                auto key = service.create_key(client_address(req, trust_proxy));
                if (!key.ok()) return send_error(res, key.error());
                send_json(res, 201,
                          {{"key", key.value().key},
                           {"credits", key.value().credits ? json(*key.value().credits) : json()}});
              }));

  server.Post("/v1/characters/match",
              authed_json(service, [&service](const KeyRecord& caller, const json& body,
                                              httplib::Response& res) {
                const auto started = std::chrono::steady_clock::now();
                auto matches = service.match(caller, body);
                if (!matches.ok()) return send_error(res, matches.error());
                // The search's own time, so clients can tell it from network and queueing.
                char timing[48];
                std::snprintf(timing, sizeof timing, "match;dur=%.2f",
                              std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - started)
                                  .count());
                res.set_header("Server-Timing", timing);
                json out = json::array();
                for (const auto& m : matches.value()) {
                  out.push_back({{"id", m.id}, {"name", m.name}, {"score", m.score}});
                }
                send_json(res, 200, {{"matches", out}});
              }));

  server.Post(R"(/v1/characters/([^/]+)/embeddings)",
              authed_json(service, [&service](const KeyRecord& caller, const json& body,
                                              const httplib::Request& req, httplib::Response& res) {
                auto added = service.add_vector(caller, req.matches[1], body);
                if (!added.ok()) return send_error(res, added.error());
                const auto& r = added.value().record;
                send_json(res, added.value().added ? 201 : 200,
                          {{"id", r.id}, {"models", r.models}});
              }));

  server.Post(R"(/v1/characters/([^/]+)/verify)",
              authed_json(service, [&service](const KeyRecord& caller, const json& body,
                                              const httplib::Request& req, httplib::Response& res) {
                auto verdict = service.verify(caller, req.matches[1], body);
                if (!verdict.ok()) return send_error(res, verdict.error());
                const Verification& v = verdict.value();
                send_json(res, 200,
                          {{"id", v.id},
                           {"model", v.model},
                           {"score", v.score},
                           {"threshold", v.threshold},
                           {"verdict", v.same ? "same" : "different"},
                           {"frames", v.frames}});
              }));

  server.Post(
      "/v1/characters", authed_json(service, [&service](const KeyRecord& caller, const json& body,
                                                        httplib::Response& res) {
        auto created = service.create_character(caller, body);
        if (!created.ok()) return send_error(res, created.error());
        send_json(res, created.value().created ? 201 : 200, character_json(created.value().record));
      }));

  server.Get("/v1/characters",
             authed(service, [&service](const KeyRecord& caller, const httplib::Request& req,
                                        httplib::Response& res) {
               auto param = [&req](const char* name) -> std::optional<std::string> {
                 if (!req.has_param(name)) return std::nullopt;
                 return req.get_param_value(name);
               };
               auto page = service.list_characters(caller, param("limit"), param("after"));
               if (!page.ok()) return send_error(res, page.error());
               json data = json::array();
               for (const auto& r : page.value().data) data.push_back(character_json(r));
               send_json(res, 200, {{"data", data}, {"has_more", page.value().has_more}});
             }));

  server.Get(R"(/v1/characters/([^/]+))",
             authed(service, [&service](const KeyRecord& caller, const httplib::Request& req,
                                        httplib::Response& res) {
               auto found = service.get_character(caller, req.matches[1]);
               if (!found.ok()) return send_error(res, found.error());
               send_json(res, 200, character_json(found.value()));
             }));

  server.Delete(R"(/v1/characters/([^/]+))",
                authed(service, [&service](const KeyRecord& caller, const httplib::Request& req,
                                           httplib::Response& res) {
                  auto deleted = service.delete_character(caller, req.matches[1]);
                  if (!deleted.ok()) return send_error(res, deleted.error());
                  res.status = 204;
                }));
}

void install_error_shape(httplib::Server& server) {
  const httplib::Server::HandlerWithResponse shape = [](const httplib::Request&,
                                                        httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    // cpp-httplib's own refusals, before any route ran. A 400 or 414 means it
    // could not parse the request line or headers: nothing after them can be
    // trusted to start a request, so the connection ends with this answer.
    if (res.status == 400 || res.status == 414) {
      res.set_header("Connection", "close");
      close_connection_after_response();
    }
    static const std::map<int, std::pair<const char*, const char*>> kShapes = {
        {400, {"invalid_request", "Malformed request."}},
        {404, {"not_found", "No such route or file."}},
        {405, {"method_not_allowed", "Method not allowed."}},
        {413, {"payload_too_large", kTooLargeMessage.c_str()}},
        {414, {"uri_too_long", "The URI is too long."}},
    };
    const auto known = kShapes.find(res.status);
    send_error(res, known == kShapes.end()
                        ? ApiError{res.status, "error", "Request failed."}
                        : ApiError{res.status, known->second.first, known->second.second});
    return httplib::Server::HandlerResponse::Handled;
  };
  server.set_error_handler(shape);
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_error(res, {500, "internal", "Internal error."});
      });
}

namespace {

// RFC 9112: Content-Length is 1*DIGIT, sent once, never with
// Transfer-Encoding. Anything else ("-1", "+2", "0x10", two values) would
// leave client and server disagreeing on where the body ends.
std::optional<std::string> framing_problem(const httplib::Request& req) {
  const size_t lengths = req.get_header_value_count("Content-Length");
  if (lengths == 0) return std::nullopt;
  if (lengths > 1) return "Send Content-Length once.";
  if (req.has_header("Transfer-Encoding")) {
    return "Send Content-Length or Transfer-Encoding, not both.";
  }
  const std::string value = req.get_header_value("Content-Length");
  const bool digits = !value.empty() && value.size() <= 18 &&
                      std::all_of(value.begin(), value.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return "Content-Length must be a decimal number of bytes.";
  return std::nullopt;
}

}  // namespace

void install_request_checks(httplib::Server& server, std::vector<std::string> origins) {
  server.set_pre_routing_handler([origins = std::move(origins)](const httplib::Request& req,
                                                                httplib::Response& res) {
    // Before anything reads the body: its length is unknown, so the
    // connection cannot be reused either.
    if (auto problem = framing_problem(req)) {
      send_error(res, bad_request(*problem));
      res.set_header("Connection", "close");
      close_connection_after_response();
      return httplib::Server::HandlerResponse::Handled;
    }
    const bool api = req.path.rfind("/v1/", 0) == 0 || req.path == "/healthz";
    if (!api) return httplib::Server::HandlerResponse::Unhandled;
    const std::string origin = req.get_header_value("Origin");
    const bool allowed = !origin.empty() &&
                         std::any_of(origins.begin(), origins.end(),
                                     [&](const std::string& o) { return o == "*" || o == origin; });
    if (allowed) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
      res.set_header("Access-Control-Expose-Headers", "Retry-After");
    }
    if (req.method != "OPTIONS") return httplib::Server::HandlerResponse::Unhandled;
    // A preflight: answered here, with the grant only for allowed origins.
    if (allowed) {
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    }
    res.status = 204;
    return httplib::Server::HandlerResponse::Handled;
  });
}

}  // namespace charid::registry
