// One server per SQLite DATA_DIR: its index is private to the process, so a
// second server on the same files would answer matches without the first
// one's new characters. An advisory lock (flock) held for the process's life
// refuses the second; admin commands do not take it and may run alongside.
#pragma once

#include <string>

namespace charid::registry {

class DataDirLock {
 public:
  // Empty error on success; otherwise why the lock could not be taken.
  explicit DataDirLock(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace charid::registry
