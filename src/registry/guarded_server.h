// GuardedServer: cpp-httplib's Server with its connection loop replaced, so
// that slow or idle clients cannot hold the worker threads that everyone
// shares. Each connection gets a deadline for every request (headers and
// body together), an idle limit between requests, and each client address a
// cap on its open connections. cpp-httplib 0.11 has none of these: its read
// timeout restarts on every byte, so a client sending one byte every few
// seconds keeps a thread forever.
#pragma once

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace charid::registry {

struct ConnectionLimits {
  std::chrono::milliseconds request_timeout{10000};  // first byte to end of body
  std::chrono::milliseconds idle_timeout{5000};      // waiting for the next request
  int per_address = 128;  // open connections per client address; 0 = no cap
};

// True on the connection's thread once the current request ran out of time
// while it was being read (a route reading its body then answers 408). A
// thread-local because httplib gives the route no handle on the stream; the
// route runs on the connection's thread.
bool request_deadline_passed();

// Ends the connection once the current response is sent. For a request whose
// framing cannot be trusted (a malformed Content-Length, a header line
// httplib could not parse): the bytes after it are not a request boundary,
// and reading on would run whatever they hold as the next request (request
// smuggling behind a proxy). httplib 0.11 keeps such a connection open even
// when the response says "Connection: close"; the same thread-local as above.
void close_connection_after_response();

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ConnectionLimits limits) : limits_(limits) {}

 private:
  // Replaces httplib's keep-alive loop (see the top of this file).
  bool process_and_close_socket(socket_t sock) override;

  bool take_slot(const std::string& address);
  void release_slot(const std::string& address);

  const ConnectionLimits limits_;
  std::mutex slots_mutex_;
  std::unordered_map<std::string, int> open_by_address_;
};

}  // namespace charid::registry
