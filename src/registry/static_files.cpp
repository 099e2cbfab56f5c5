#include "registry/static_files.h"

#include <httplib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>

namespace charid::registry {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNotBuiltPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>charid registry</title></head>
<body><h1>charid registry is running</h1>
<p>The web app is not built yet. Build it (<code>npm run build</code>) and reload this page.</p>
<p>The API is at <code>/v1/</code>; health at <code>/healthz</code>.</p></body></html>
)html";

// The app's pages: only its own scripts and wasm (no inline script, no
// eval), requests only to this server (the API and /models/), no plugins,
// no framing, no <base> rewrites. The API key the page keeps in
// localStorage is readable by any script of this origin, so keeping every
// other script out is what protects it (docs/REGISTRY.md). Styles may be
// inline: lit-html's styleMap (the page's boxes and window, web/src/page)
// writes its first value as a style attribute and only later ones through
// the CSSOM, and a style cannot run code.
// A Worker takes its policy from its own script's response, so scripts get
// the same policy: the wasm core is linked with -sDYNAMIC_EXECUTION=0 (its
// Embind glue makes no function with `new Function`) and ONNX Runtime Web's
// wasm build uses none, so neither needs 'unsafe-eval'. (ORT's WebGPU glue,
// ort-wasm-simd-threaded.jsep.mjs, still has one in Embind's emval method
// caller; docs/WEB.md.)
// Videos chosen by URL are fetched by the page's Worker itself (never through this server), so
// their origins must be in connect-src: `--media-origin` adds them; by default only this server.
std::string content_security_policy(const std::vector<std::string>& media_origins) {
  std::string connect = "connect-src 'self'";
  for (const std::string& o : media_origins) connect += " " + o;
  return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
         connect +
         "; img-src 'self' data: blob:; "
         "media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

void set_page_headers(const std::string& policy, httplib::Response& res) {
  res.set_header("Content-Security-Policy", policy);
  res.set_header("Referrer-Policy", "no-referrer");
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Resolves `relative` inside `root`, refusing anything that escapes it
// (.., symlinks pointing outside). nullopt when absent or not a regular file.
std::optional<fs::path> resolve(const std::string& root, const std::string& relative) {
  if (root.empty() || relative.find('\0') != std::string::npos ||
      relative.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  for (const auto& part : fs::path(relative)) {
    if (part == "..") return std::nullopt;
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path candidate = fs::canonical(base / fs::path(relative).relative_path(), ec);
  if (ec) return std::nullopt;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
  const auto [root_end, unused] =
      std::mismatch(base.begin(), base.end(), candidate.begin(), candidate.end());
  if (root_end != base.end()) return std::nullopt;
  return candidate;
}

void serve_file(const fs::path& file, const std::string& url_path, const httplib::Request& req,
                httplib::Response& res) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    res.status = 404;
    return;
  }
  const std::string etag = "\"" + std::to_string(st.st_size) + "-" +
                           std::to_string(static_cast<long long>(st.st_mtime)) + "\"";
  res.set_header("ETag", etag);
  res.set_header("Cache-Control",
                 is_content_hashed(url_path) ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const std::string path = file.string();
  // Streamed in chunks: model files are tens of megabytes.
  res.set_content_provider(
      size, content_type_for(path), [path](size_t offset, size_t length, httplib::DataSink& sink) {
        std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
        if (!f || std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) {
          return false;
        }
        char buf[64 * 1024];
        const size_t n = std::fread(buf, 1, std::min(length, sizeof buf), f.get());
        if (n == 0) return false;
        sink.write(buf, n);
        return true;
      });
}

}  // namespace

std::string content_type_for(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".onnx", "application/octet-stream"},
      {".bin", "application/octet-stream"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".mp4", "video/mp4"},
      {".webm", "video/webm"},
  };
  const auto it = kTypes.find(fs::path(path).extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool is_content_hashed(const std::string& path) {
  // Bundlers put hashed files under /assets/ (Vite) or name them like
  // app.3f2a9c1e.js / ort-wasm-simd.0123abcd.wasm.
  static const std::regex kHashed(R"((^|/)assets/|[.-][0-9a-fA-F]{8,}\.[A-Za-z0-9]+$)");
  return std::regex_search(path, kHashed);
}

namespace {

// The model files are public and the same for everyone, so any page may
// load them: an editor on another origin (the npm package's modelBase
// pointing here) fetches them with CORS, and under its own
// Cross-Origin-Embedder-Policy: require-corp it also needs the resource to
// allow a cross-origin embedder. No credentials are involved, hence "*".
void set_model_cors_headers(httplib::Response& res) {
  res.set_header("Access-Control-Allow-Origin", "*");
  res.set_header("Cross-Origin-Resource-Policy", "cross-origin");
  res.set_header("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag");
}

}  // namespace

void install_static_files(httplib::Server& server, const StaticRoots& roots) {
  // A preflight (a Range or If-None-Match from a page on another origin).
  server.Options(R"(/models/(.*))", [](const httplib::Request&, httplib::Response& res) {
    set_model_cors_headers(res);
    res.set_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Range, If-None-Match");
    res.set_header("Access-Control-Max-Age", "600");
    res.status = 204;
  });
  server.Get(R"(/models/(.*))", [roots](const httplib::Request& req, httplib::Response& res) {
    set_model_cors_headers(res);
    const auto file = resolve(roots.models_dir, req.matches[1]);
    if (!file) {
      res.status = 404;
      return;
    }
    serve_file(*file, req.path, req, res);
  });
  const std::string policy = content_security_policy(roots.media_origins);
  server.Get(R"(/(.*))", [roots, policy](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/v1/", 0) == 0) {
      res.status = 404;
      return;
    }
    const auto file = resolve(roots.web_root, req.matches[1]);
    set_page_headers(policy, res);
    if (file) return serve_file(*file, req.path, req, res);
    // A page route of the app (no file extension) gets index.html, so links
    // into the app survive a reload; a missing asset stays a 404.
    const std::string last = req.path.substr(req.path.rfind('/') + 1);
    if (last.find('.') == std::string::npos) {
      if (const auto index = resolve(roots.web_root, "index.html")) {
        return serve_file(*index, "/index.html", req, res);
      }
    }
    if (req.path == "/" || req.path == "/index.html") {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
      return;
    }
    res.status = 404;
  });
}

}  // namespace charid::registry
