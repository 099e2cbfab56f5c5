// The HTTP face of API v1: parses requests, checks content types and auth,
// calls RegistryService, and writes JSON in the exact shapes of docs/openapi.yaml.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace charid::registry {

class RegistryService;

// The largest request body (the server's payload limit and the routes' own
// reads use this one number).
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

// `trust_proxy`: the client address for per-address limits is the last
// X-Forwarded-For entry (the one the load balancer appended).
void install_api_routes(httplib::Server& server, RegistryService& service, bool trust_proxy);

// Errors with an empty body (httplib's own 404/413, ...) get the JSON shape.
void install_error_shape(httplib::Server& server);
// Before routing: malformed framing (a Content-Length that is not a plain
// decimal, sent twice, or with Transfer-Encoding) is a 400 that closes the
// connection; then CORS for the listed origins ("*" allows any).
void install_request_checks(httplib::Server& server, std::vector<std::string> origins);

}  // namespace charid::registry
