// Exact int8 dot products for the search index, picked at run time for the
// CPU (AVX-512 VNNI, AVX2, or plain C++), so one binary runs everywhere.
#pragma once

#include <cstddef>
#include <cstdint>

namespace charid::registry {

// q: the query; q_biased: q + 128 as unsigned (VNNI multiplies unsigned by
// signed, so it computes sum((q+128)*v) and subtracts 128*v_sum); v: a stored
// vector; v_sum: the sum of v's values. Every kernel returns sum(q[i]*v[i]).
using DotKernel = int32_t (*)(const int8_t* q, const uint8_t* q_biased, const int8_t* v,
                              int32_t v_sum, size_t n);

DotKernel best_dot_kernel();
const char* best_dot_kernel_name();
DotKernel scalar_dot_kernel();

}  // namespace charid::registry
