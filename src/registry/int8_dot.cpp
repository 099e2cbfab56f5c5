#include "registry/int8_dot.h"

#include <immintrin.h>

namespace charid::registry {
namespace {

int32_t dot_scalar(const int8_t* q, const uint8_t*, const int8_t* v, int32_t, size_t n) {
  int32_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc += int32_t{q[i]} * int32_t{v[i]};
  return acc;
}

// Sign-extend to int16 and multiply-add pairs: exact for every int8 value
// (maddubs would saturate on -128).
__attribute__((target("avx2"))) int32_t dot_avx2(const int8_t* q, const uint8_t*, const int8_t* v,
                                                 int32_t, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i a =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
    const __m256i b =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
  }
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  sum = _mm_hadd_epi32(sum, sum);
  sum = _mm_hadd_epi32(sum, sum);
  int32_t total = _mm_cvtsi128_si32(sum);
  for (; i < n; ++i) total += int32_t{q[i]} * int32_t{v[i]};
  return total;
}

// 64 products per instruction; the bias is removed with the stored row sum.
// Two accumulators halve the dependency chain on long vectors.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) int32_t dot_vnni(const int8_t* q,
                                                                        const uint8_t* q_biased,
                                                                        const int8_t* v,
                                                                        int32_t v_sum, size_t n) {
  __m512i acc0 = _mm512_setzero_si512();
  __m512i acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(q_biased + i), _mm512_loadu_si512(v + i));
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(q_biased + i + 64),
                               _mm512_loadu_si512(v + i + 64));
  }
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(q_biased + i), _mm512_loadu_si512(v + i));
  }
  int32_t total = _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
  // Bias only covers the SIMD part; the tail is computed exactly instead.
  int32_t tail_sum = 0;
  for (size_t j = i; j < n; ++j) tail_sum += v[j];
  total -= 128 * (v_sum - tail_sum);
  for (; i < n; ++i) total += int32_t{q[i]} * int32_t{v[i]};
  return total;
}

}  // namespace

DotKernel best_dot_kernel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) return dot_vnni;
  if (__builtin_cpu_supports("avx2")) return dot_avx2;
  return dot_scalar;
}

const char* best_dot_kernel_name() {
  const DotKernel k = best_dot_kernel();
  return k == dot_vnni ? "avx512-vnni" : k == dot_avx2 ? "avx2" : "scalar";
}

DotKernel scalar_dot_kernel() { return dot_scalar; }

}  // namespace charid::registry
