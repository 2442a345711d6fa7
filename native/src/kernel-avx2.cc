// AVX2: 32-byte vectors. pshufb and alignr work within 128-bit lanes, so the "previous bytes"
// view is built from a lane permute first.
#include <immintrin.h>

#include "kernel.h"
#include "utf8-lookup.h"

namespace nvx {
namespace {

struct Ops {
  using V = __m256i;
  static constexpr size_t W = 32;
  static V load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint8_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static V zero() { return _mm256_setzero_si256(); }
  static V splat(uint8_t b) { return _mm256_set1_epi8(char(b)); }
  static V splat32(uint32_t k) { return _mm256_set1_epi32(int(k)); }
  static V table(const uint8_t* t) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  }
  static V bxor(V a, V b) { return _mm256_xor_si256(a, b); }
  static V bor(V a, V b) { return _mm256_or_si256(a, b); }
  static V band(V a, V b) { return _mm256_and_si256(a, b); }
  static V shr4(V v) { return _mm256_and_si256(_mm256_srli_epi16(v, 4), splat(0x0F)); }
  static V lookup(V t, V idx) { return _mm256_shuffle_epi8(t, idx); }
  static V subs(V a, V b) { return _mm256_subs_epu8(a, b); }
  template <int K>
  static V prev(V in, V before) {
    return _mm256_alignr_epi8(in, _mm256_permute2x128_si256(before, in, 0x21), 16 - K);
  }
  static bool ascii(V v) { return _mm256_movemask_epi8(v) == 0; }
  static bool any(V v) { return !_mm256_testz_si256(v, v); }
  static void maskTail(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) {
    size_t i = 0;
    if (n >= 16) {
      __m128i k = _mm_set1_epi32(int(key));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d),
                       _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), k));
      i = 16;
    }
    scalarMask(s + i, d + i, n - i, key);
  }
  static void maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key);
};

void mask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) { vectorMask<Ops>(src, dst, len, key); }
void Ops::maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { mask(s, d, n, key); }

size_t validate(const uint8_t* p, size_t len) {
  return Utf8Lookup<Ops>::run<false>(const_cast<uint8_t*>(p), len, 0);
}
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) { return Utf8Lookup<Ops>::run<true>(p, len, key); }

const Kernel kAvx2 = {"avx2", mask, validate, unmaskValidate};

}  // namespace

const Kernel* avx2Kernel() { return &kAvx2; }

}  // namespace nvx
