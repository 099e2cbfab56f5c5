#include "registry/guarded_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace charid::registry {
namespace {

using Clock = std::chrono::steady_clock;

thread_local bool deadline_passed = false;
thread_local bool close_after_response = false;

// Waits up to `timeout` for `events` on `sock`; false on timeout or error.
bool wait_for(socket_t sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    if (n < 0 && errno == EINTR) continue;
    return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

std::string numeric_address(const sockaddr_storage& addr, socklen_t len, int* port) {
  char host[NI_MAXHOST] = "";
  char serv[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return {};
  }
  if (port) *port = std::atoi(serv);
  return host;
}

std::string peer_address(socket_t sock, int* port = nullptr) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  return numeric_address(addr, len, port);
}

// A socket stream whose reads stop at the request's deadline. Reads are
// buffered: httplib reads the request line and headers one byte at a time.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, std::chrono::milliseconds write_timeout)
      : sock_(sock), write_timeout_(write_timeout) {}

  void start_request(Clock::time_point deadline) {
    deadline_ = deadline;
    deadline_passed = false;
  }
  bool has_buffered() const { return offset_ < size_; }

  bool is_readable() const override {
    if (has_buffered()) return true;
    // The deadline is the only bound on the wait, so a failed wait means it passed.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0 || !wait_for(sock_, POLLIN, left)) {
      deadline_passed = true;
      return false;
    }
    return true;
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      if (!is_readable()) return -1;
      ssize_t n;
      do {
        n = ::recv(sock_, buffer_, sizeof(buffer_), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      offset_ = 0;
      size_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, size_ - offset_);
    std::memcpy(ptr, buffer_ + offset_, n);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_address(sock_, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ip = numeric_address(addr, len, &port);
    }
  }
  socket_t socket() const override { return sock_; }

 private:
  socket_t sock_;
  std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_{};
  char buffer_[4096];
  size_t offset_ = 0;
  size_t size_ = 0;
};

// Tells a client over its cap why, then closes without a reset: after
// shutting down our side, the request it may already have sent is drained
// briefly, since closing with unread bytes would send RST and the client
// could lose the answer.
void refuse_connection(socket_t sock) {
  const std::string body =
      R"({"error":{"code":"rate_limited","message":"Too many open connections from this address; close some and retry."}})";
  const std::string response =
      "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)::send(sock, response.data(), response.size(), MSG_NOSIGNAL);
  ::shutdown(sock, SHUT_WR);
  char sink[4096];
  const auto until = Clock::now() + std::chrono::milliseconds(200);
  while (wait_for(sock, POLLIN, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    until - Clock::now())) &&
         ::recv(sock, sink, sizeof(sink), 0) > 0) {
  }
}

}  // namespace

bool request_deadline_passed() { return deadline_passed; }

void close_connection_after_response() { close_after_response = true; }

bool GuardedServer::take_slot(const std::string& address) {
  if (limits_.per_address <= 0) return true;
  std::lock_guard<std::mutex> lock(slots_mutex_);
  int& open = open_by_address_[address];
  if (open >= limits_.per_address) return false;
  ++open;
  return true;
}

void GuardedServer::release_slot(const std::string& address) {
  if (limits_.per_address <= 0) return;
  std::lock_guard<std::mutex> lock(slots_mutex_);
  const auto it = open_by_address_.find(address);
  if (it != open_by_address_.end() && --it->second <= 0) open_by_address_.erase(it);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  const std::string address = peer_address(sock);
  bool ok = false;
  if (!take_slot(address)) {
    refuse_connection(sock);
  } else {
    DeadlineStream stream(sock, std::chrono::seconds(write_timeout_sec_));
    for (size_t served = 0; served < keep_alive_max_count_ && svr_sock_ != INVALID_SOCKET;
         ++served) {
      if (!stream.has_buffered() && !wait_for(sock, POLLIN, limits_.idle_timeout)) break;
      stream.start_request(Clock::now() + limits_.request_timeout);
      close_after_response = false;
      bool connection_closed = false;
      const bool last = served + 1 == keep_alive_max_count_;
      ok = process_request(stream, last, connection_closed, [](httplib::Request&) {});
      // After a timed-out request the rest of its bytes would be read as the next one.
      if (!ok || connection_closed || request_deadline_passed() || close_after_response) break;
    }
    release_slot(address);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace charid::registry
