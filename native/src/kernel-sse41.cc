// SSSE3/SSE4.1: 16-byte vectors; pshufb makes the nibble-table UTF-8 validation possible.
#include <immintrin.h>

#include "kernel.h"
#include "utf8-lookup.h"

namespace nvx {
namespace {

struct Ops {
  using V = __m128i;
  static constexpr size_t W = 16;
  static V load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store(uint8_t* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static V zero() { return _mm_setzero_si128(); }
  static V splat(uint8_t b) { return _mm_set1_epi8(char(b)); }
  static V splat32(uint32_t k) { return _mm_set1_epi32(int(k)); }
  static V table(const uint8_t* t) { return load(t); }
  static V bxor(V a, V b) { return _mm_xor_si128(a, b); }
  static V bor(V a, V b) { return _mm_or_si128(a, b); }
  static V band(V a, V b) { return _mm_and_si128(a, b); }
  static V shr4(V v) { return _mm_and_si128(_mm_srli_epi16(v, 4), splat(0x0F)); }
  static V lookup(V t, V idx) { return _mm_shuffle_epi8(t, idx); }
  static V subs(V a, V b) { return _mm_subs_epu8(a, b); }
  template <int K>
  static V prev(V in, V before) { return _mm_alignr_epi8(in, before, 16 - K); }
  static bool ascii(V v) { return _mm_movemask_epi8(v) == 0; }
  static bool any(V v) { return !_mm_testz_si128(v, v); }
  static void maskTail(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { scalarMask(s, d, n, key); }
  static void maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key);
};

void mask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) { vectorMask<Ops>(src, dst, len, key); }
void Ops::maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { mask(s, d, n, key); }

size_t validate(const uint8_t* p, size_t len) {
  return Utf8Lookup<Ops>::run<false>(const_cast<uint8_t*>(p), len, 0);
}
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) { return Utf8Lookup<Ops>::run<true>(p, len, key); }

const Kernel kSse41 = {"sse4.1", mask, validate, unmaskValidate};

}  // namespace

const Kernel* sse41Kernel() { return &kSse41; }

}  // namespace nvx
