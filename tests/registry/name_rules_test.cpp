#include <catch.hpp>

#include "registry/registry_service.h"

using charid::registry::name_problem;

TEST_CASE("names are 1..80 characters without control characters") {
  CHECK_FALSE(name_problem("Ada"));
  CHECK_FALSE(name_problem(std::string(80, 'x')));
  CHECK(name_problem(std::string(81, 'x')));
  CHECK(name_problem(""));
  CHECK(name_problem("   "));
  CHECK(name_problem("a\tb"));
  CHECK(name_problem("a\x7f"));
  CHECK(name_problem("a\xc2\x85"));  // U+0085, a C1 control
  std::string accented;
  for (int i = 0; i < 80; ++i) accented += "\xc3\xa9";  // 80 x U+00E9: 160 bytes, 80 characters
  CHECK_FALSE(name_problem(accented));
  CHECK(name_problem(accented + "\xc3\xa9"));
}
