// Serves the built web app at / and model files at /models/: content types
// the browser insists on (application/wasm for streaming compilation),
// long-lived caching only for content-hashed names, ETags for the rest, and a
// small placeholder page while web/dist has not been built.
#pragma once

#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace charid::registry {

struct StaticRoots {
  std::string web_root;                    // web/dist
  std::string models_dir;                  // models/cache
  std::vector<std::string> media_origins;  // extra connect-src sources (videos fetched by URL)
};

// Registers GET handlers for everything outside /v1/ and /healthz; install
// after the API routes so those win.
void install_static_files(httplib::Server& server, const StaticRoots& roots);

// Exposed for unit tests.
std::string content_type_for(const std::string& path);
bool is_content_hashed(const std::string& path);

}  // namespace charid::registry
