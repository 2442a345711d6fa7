// AVX-512 (F + BW): one 64-byte vector per block, and byte-masked loads and stores so tails need
// no scalar loop.
#include <immintrin.h>

#include "kernel.h"
#include "utf8-lookup.h"

namespace nvx {
namespace {

struct Ops {
  using V = __m512i;
  static constexpr size_t W = 64;
  static V load(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint8_t* p, V v) { _mm512_storeu_si512(p, v); }
  static V zero() { return _mm512_setzero_si512(); }
  static V splat(uint8_t b) { return _mm512_set1_epi8(char(b)); }
  static V splat32(uint32_t k) { return _mm512_set1_epi32(int(k)); }
  static V table(const uint8_t* t) {
    return _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  }
  static V bxor(V a, V b) { return _mm512_xor_si512(a, b); }
  static V bor(V a, V b) { return _mm512_or_si512(a, b); }
  static V band(V a, V b) { return _mm512_and_si512(a, b); }
  static V shr4(V v) { return _mm512_and_si512(_mm512_srli_epi16(v, 4), splat(0x0F)); }
  static V lookup(V t, V idx) { return _mm512_shuffle_epi8(t, idx); }
  static V subs(V a, V b) { return _mm512_subs_epu8(a, b); }
  template <int K>
  static V prev(V in, V before) {
    // 128-bit lanes: [before.3, in.0, in.1, in.2], then a per-lane byte alignr against `in`.
    V shifted = _mm512_alignr_epi64(in, before, 6);
    return _mm512_alignr_epi8(in, shifted, 16 - K);
  }
  static bool ascii(V v) { return _mm512_movepi8_mask(v) == 0; }
  static bool any(V v) { return _mm512_test_epi8_mask(v, v) != 0; }
  static void maskTail(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) {
    __mmask64 m = _bzhi_u64(~0ull, unsigned(n));
    V v = _mm512_maskz_loadu_epi8(m, s);
    _mm512_mask_storeu_epi8(d, m, _mm512_xor_si512(v, splat32(key)));
  }
  static void maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key);
};

void mask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) { vectorMask<Ops>(src, dst, len, key); }
void Ops::maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { mask(s, d, n, key); }

size_t validate(const uint8_t* p, size_t len) {
  return Utf8Lookup<Ops>::run<false>(const_cast<uint8_t*>(p), len, 0);
}
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) { return Utf8Lookup<Ops>::run<true>(p, len, key); }

const Kernel kAvx512 = {"avx512", mask, validate, unmaskValidate};

}  // namespace

const Kernel* avx512Kernel() { return &kAvx512; }

}  // namespace nvx
