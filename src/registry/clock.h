// Wall-clock timestamps as the API shows them: RFC 3339 UTC with milliseconds.
#pragma once

#include <string>

namespace charid::registry {

std::string now_rfc3339();

}  // namespace charid::registry
