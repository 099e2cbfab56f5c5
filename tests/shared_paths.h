// Paths to the shared fixtures (../shared beside the clone), resolved at
// configure time so tests run from any working directory.
#pragma once

#include <string>

namespace charid::test {

inline std::string shared_path(const std::string& relative) {
  return std::string(CHARID_SHARED_DIR) + "/" + relative;
}
inline std::string media(const std::string& relative) {
  return shared_path("fixtures/media/" + relative);
}
inline std::string clip(const std::string& name) { return shared_path("fixtures/clips/" + name); }

}  // namespace charid::test
