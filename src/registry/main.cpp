// charid-registry: serves API v1, the web app and the model files, or runs an
// admin subcommand. See docs/openapi.yaml and `charid-registry --help`.
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "registry/admin_commands.h"
#include "registry/api_error.h"
#include "registry/api_routes.h"
#include "registry/data_dir_lock.h"
#include "registry/embedding_payload.h"
#include "registry/guarded_server.h"
#include "registry/index_sync.h"
#include "registry/int8_dot.h"
#include "registry/model_catalog.h"
#include "registry/registry_service.h"
#include "registry/server_options.h"
#include "registry/static_files.h"
#include "registry/storage_factory.h"
#include "registry/vector_index.h"

namespace registry = charid::registry;

namespace {

int serve(const registry::ServerOptions& o) {
  std::string error;
  const auto catalog = registry::ModelCatalog::load(o.manifest, &error);
  if (!catalog) {
    std::fprintf(stderr, "charid-registry: %s\n", error.c_str());
    return 2;
  }
  if (const auto problem = registry::embedding_schema_problem()) {
    std::fprintf(stderr, "charid-registry: %s\n", problem->c_str());
    return 2;
  }
  std::unique_ptr<registry::DataDirLock> data_dir_lock;
  if (o.database_url.empty()) {
    data_dir_lock = std::make_unique<registry::DataDirLock>(o.data_dir);
    if (!data_dir_lock->error().empty()) {
      std::fprintf(stderr, "charid-registry: %s\n", data_dir_lock->error().c_str());
      return 1;
    }
  }
  std::unique_ptr<registry::Storage> storage;
  try {
    storage = registry::open_storage(o.data_dir, o.database_url);
  } catch (const registry::StorageError& e) {
    std::fprintf(stderr, "charid-registry: %s\n", e.what());
    return 1;
  }

  registry::VectorIndex index(catalog->scoring());
  registry::ServiceLimits limits{o.keys_per_minute, o.creates_per_second, o.matches_per_second,
                                 o.credits_per_key};
  registry::RegistryService service(*storage, index, *catalog, limits,
                                    static_cast<size_t>(o.owner_cache_mb) << 20);
  const auto started = std::chrono::steady_clock::now();
  int64_t cursor = 0;
  try {
    cursor = service.load_index();
  } catch (const registry::StorageError& e) {
    std::fprintf(stderr, "charid-registry: loading the index: %s\n", e.what());
    return 1;
  }
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::unique_ptr<registry::IndexSync> sync;
  if (storage->shared_between_processes()) {
    sync = std::make_unique<registry::IndexSync>(
        *storage, index, cursor,
        registry::SyncOptions{o.sync_interval_ms, o.change_log_retention_s,
                              // Prune about as often as entries expire, at least once a minute.
                              std::chrono::seconds(std::min(60, o.change_log_retention_s)),
                              std::chrono::seconds(o.purge_interval_s)});
  }

  registry::GuardedServer server(registry::ConnectionLimits{
      std::chrono::seconds(o.request_timeout_s), std::chrono::seconds(5),
      o.connections_per_address});
  const int threads = o.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(registry::kMaxBodyBytes);
  // Without it, Nagle and delayed ACKs add ~40 ms to every small response.
  server.set_tcp_nodelay(true);
  // cpp-httplib closes a connection after 5 requests by default; batch
  // clients and load balancers reuse connections for far longer.
  server.set_keep_alive_max_count(1000);
  // Every response, API or file: the page must be cross-origin isolated for
  // wasm threads (SharedArrayBuffer).
  server.set_default_headers({{"Cross-Origin-Opener-Policy", "same-origin"},
                              {"Cross-Origin-Embedder-Policy", "require-corp"},
                              {"X-Content-Type-Options", "nosniff"}});
  registry::install_error_shape(server);
  registry::install_request_checks(server, o.cors_origins);
  registry::install_api_routes(server, service, o.trust_proxy);
  registry::install_static_files(server, {o.web_root, o.models_dir, o.media_origins});

  // Debian's compiled cpp-httplib listens with a backlog of 5
  // (CPPHTTPLIB_LISTEN_BACKLOG is fixed in the library, not our build): a
  // burst of new connections overflows it and the kernel drops SYNs and
  // ACKs, which clients see as resets and multi-second stalls. Keep the
  // listening socket here and listen again with the system's maximum (Linux
  // updates the backlog of a socket that is already listening).
  socket_t listen_socket = INVALID_SOCKET;
  server.set_socket_options([&listen_socket](socket_t sock) {
    // httplib's default options also set SO_REUSEPORT, which would let a
    // second server bind the same port and silently take half the traffic.
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket = sock;
  });
  int port = o.port;
  if (port == 0) {
    port = server.bind_to_any_port(o.host);
  } else if (!server.bind_to_port(o.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "charid-registry: cannot listen on %s:%d\n", o.host.c_str(), o.port);
    return 1;
  }
  if (listen_socket == INVALID_SOCKET || ::listen(listen_socket, SOMAXCONN) != 0) {
    std::fprintf(stderr, "charid-registry: cannot raise the listen backlog\n");
    return 1;
  }

  // SIGINT/SIGTERM are blocked in every thread and taken here, where calling
  // stop() is safe (a signal handler could not).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
    // Idle keep-alive connections would hold the worker threads for their
    // timeout; every acknowledged write is already committed, so after a
    // grace second for in-flight requests, leave.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::_Exit(0);
  });
  waiter.detach();

  std::printf(
      "charid-registry listening on http://%s:%d (%s storage, %zu characters in %.0f ms, "
      "%zu models, %s dot products)\n",
      o.host.c_str(), port, o.database_url.empty() ? "sqlite" : "postgresql", index.size(), load_ms,
      catalog->size(), registry::best_dot_kernel_name());
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread starts, so all inherit the mask (see serve()).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const auto parsed = registry::parse_args(argc, argv);
  if (!parsed.args) {
    if (parsed.exit_code == 0) {
      std::printf("%s", parsed.help.c_str());
    } else {
      std::fprintf(stderr, "charid-registry: %s\n(charid-registry --help lists the flags)\n",
                   parsed.error.c_str());
    }
    return parsed.exit_code;
  }
  if (parsed.args->command != registry::Command::serve) {
    // Admin commands are short-lived; let Ctrl-C end them normally.
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    return registry::run_admin_command(*parsed.args);
  }
  return serve(parsed.args->options);
}
