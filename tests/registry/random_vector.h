// Random int8 vectors for the index tests (the full range, -128 included).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

inline std::vector<int8_t> random_vector(std::mt19937& rng, size_t dims) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(dims);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}
