// NEON (arm64, where it is always present): 16-byte vectors, tbl for the nibble tables.
// Only compiled for arm64 (see CMakeLists.txt); x64 builds never see this file.
#include <arm_neon.h>

#include "kernel.h"
#include "utf8-lookup.h"

namespace nvx {
namespace {

struct Ops {
  using V = uint8x16_t;
  static constexpr size_t W = 16;
  static V load(const uint8_t* p) { return vld1q_u8(p); }
  static void store(uint8_t* p, V v) { vst1q_u8(p, v); }
  static V zero() { return vdupq_n_u8(0); }
  static V splat(uint8_t b) { return vdupq_n_u8(b); }
  static V splat32(uint32_t k) { return vreinterpretq_u8_u32(vdupq_n_u32(k)); }
  static V table(const uint8_t* t) { return vld1q_u8(t); }
  static V bxor(V a, V b) { return veorq_u8(a, b); }
  static V bor(V a, V b) { return vorrq_u8(a, b); }
  static V band(V a, V b) { return vandq_u8(a, b); }
  static V shr4(V v) { return vshrq_n_u8(v, 4); }
  static V lookup(V t, V idx) { return vqtbl1q_u8(t, idx); }
  static V subs(V a, V b) { return vqsubq_u8(a, b); }
  template <int K>
  static V prev(V in, V before) { return vextq_u8(before, in, 16 - K); }
  static bool ascii(V v) { return vmaxvq_u8(v) < 0x80; }
  static bool any(V v) { return vmaxvq_u8(v) != 0; }
  static void maskTail(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { scalarMask(s, d, n, key); }
  static void maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key);
};

void mask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) { vectorMask<Ops>(src, dst, len, key); }
void Ops::maskRange(const uint8_t* s, uint8_t* d, size_t n, uint32_t key) { mask(s, d, n, key); }

size_t validate(const uint8_t* p, size_t len) {
  return Utf8Lookup<Ops>::run<false>(const_cast<uint8_t*>(p), len, 0);
}
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) { return Utf8Lookup<Ops>::run<true>(p, len, key); }

const Kernel kNeon = {"neon", mask, validate, unmaskValidate};

}  // namespace

const Kernel* neonKernel() { return &kNeon; }

}  // namespace nvx
