// Operator subcommands that work on the storage directly, without the HTTP
// server: adding credits to a key, and importing vectors in bulk (used to
// seed benchmarks). Each prints one JSON line and returns an exit code.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "registry/server_options.h"

namespace charid::registry {

// `args.command` is add_credits or import_vectors.
int run_admin_command(const ParsedArgs& args);

}  // namespace charid::registry
