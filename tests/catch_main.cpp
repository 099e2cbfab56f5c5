// The one Catch2 main shared by every unit-test binary, native and wasm.
#define CATCH_CONFIG_MAIN
#include <catch.hpp>
