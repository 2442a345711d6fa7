// SSE2, the x64 baseline: 16-byte masking and 16-byte ASCII skipping. SSE2 has no byte shuffle,
// so non-ASCII text goes through the scalar automaton; CPUs this old are rare.
#include <emmintrin.h>

#include "kernel.h"
#include "utf8-dfa.h"

namespace nvx {
namespace {

void mask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) {
  const __m128i k = _mm_set1_epi32(int(key));
  size_t i = 0;
  for (; i + 64 <= len; i += 64) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 32));
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 48));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(a, k));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 16), _mm_xor_si128(b, k));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 32), _mm_xor_si128(c, k));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 48), _mm_xor_si128(d, k));
  }
  for (; i + 16 <= len; i += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(a, k));
  }
  scalarMask(src + i, dst + i, len - i, key);
}

size_t skipAscii16(const uint8_t* p, size_t i, size_t len) {
  while (i + 16 <= len) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(v) != 0) break;
    i += 16;
  }
  return skipAscii8(p, i, len);
}

size_t validate(const uint8_t* p, size_t len) { return scalarValidate(p, len, skipAscii16); }

// Two passes: without a byte shuffle there is no vector validation to fuse with.
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) {
  mask(p, p, len, key);
  return validate(p, len);
}

const Kernel kSse2 = {"sse2", mask, validate, unmaskValidate};

}  // namespace

const Kernel* sse2Kernel() { return &kSse2; }

}  // namespace nvx
