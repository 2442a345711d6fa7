// Byte-at-a-time UTF-8 (RFC 3629) automaton shared by every kernel: the scalar reference, the
// exact locator of the first bad byte once a SIMD kernel has seen an error, and the bytes that
// straddle chunk boundaries. Everything here has internal linkage on purpose: kernel files are
// compiled with different target flags, and a shared inline symbol could be merged by the linker
// into a copy that uses instructions the CPU lacks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace nvx {
namespace {

// Same numbering as runtime/accel/ts-utf8.ts: the two must agree on what a state means.
enum Utf8State : uint8_t {
  kAccept = 0,
  kReject = 1,
  kNeed1 = 2,
  kNeed2 = 3,
  kNeed3 = 4,
  kAfterE0 = 5,  // next byte A0..BF (no overlong 3-byte forms)
  kAfterED = 6,  // next byte 80..9F (no UTF-16 surrogates)
  kAfterF0 = 7,  // next byte 90..BF (no overlong 4-byte forms)
  kAfterF4 = 8,  // next byte 80..8F (nothing above U+10FFFF)
};

inline bool inRange(uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; }

inline uint8_t utf8Step(uint8_t state, uint8_t b) {
  switch (state) {
    case kAccept:
      if (b < 0x80) return kAccept;
      if (b < 0xC2) return kReject;
      if (b < 0xE0) return kNeed1;
      if (b == 0xE0) return kAfterE0;
      if (b == 0xED) return kAfterED;
      if (b < 0xF0) return kNeed2;
      if (b == 0xF0) return kAfterF0;
      if (b < 0xF4) return kNeed3;
      if (b == 0xF4) return kAfterF4;
      return kReject;
    case kNeed1: return inRange(b, 0x80, 0xBF) ? kAccept : kReject;
    case kNeed2: return inRange(b, 0x80, 0xBF) ? kNeed1 : kReject;
    case kNeed3: return inRange(b, 0x80, 0xBF) ? kNeed2 : kReject;
    case kAfterE0: return inRange(b, 0xA0, 0xBF) ? kNeed1 : kReject;
    case kAfterED: return inRange(b, 0x80, 0x9F) ? kNeed1 : kReject;
    case kAfterF0: return inRange(b, 0x90, 0xBF) ? kNeed2 : kReject;
    case kAfterF4: return inRange(b, 0x80, 0x8F) ? kNeed2 : kReject;
    default: return kReject;
  }
}

inline bool isContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Start of the trailing incomplete sequence of p[lo, hi), or hi if it ends on a boundary (or on
// bytes that are errors on their own, which the caller's scan reports).
inline size_t trailingCut(const uint8_t* p, size_t lo, size_t hi) {
  size_t limit = hi - lo < 3 ? hi - lo : 3;
  for (size_t k = 1; k <= limit; k++) {
    uint8_t b = p[hi - k];
    if (b < 0x80) return hi;
    if (b >= 0xC0) {
      size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      return need > k ? hi - k : hi;
    }
  }
  return hi;
}

// A code point boundary at or before pos, given that lo is one and that no error lies before
// pos: the start of the sequence open at pos (within 3 bytes back), else lo.
inline size_t boundaryAtOrBefore(const uint8_t* p, size_t lo, size_t pos) {
  for (size_t k = 1; k <= 4 && pos - k + 1 > lo; k++) {
    if (!isContinuation(p[pos - k])) return pos - k;
  }
  return lo;
}

// Scalar scan with the contract of Kernel::validate. `AsciiSkip` jumps over runs of ASCII in
// wider steps (8 bytes scalar, 16 with SSE2) while on a boundary.
template <class AsciiSkip>
inline size_t scalarValidate(const uint8_t* p, size_t len, AsciiSkip skip) {
  size_t i = 0;
  while (i < len) {
    i = skip(p, i, len);
    if (i >= len) break;
    uint8_t b = p[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t lead = i;
    uint8_t st = utf8Step(kAccept, b);
    i++;
    while (st > kReject && i < len) st = utf8Step(st, p[i++]);
    if (st == kReject) return lead;
  }
  return len;
}

inline size_t skipAscii8(const uint8_t* p, size_t i, size_t len) {
  while (i + 8 <= len) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) break;
    i += 8;
  }
  return i;
}

inline void scalarMask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) {
  uint64_t k8 = (uint64_t(key) << 32) | key;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, src + i, 8);
    w ^= k8;
    std::memcpy(dst + i, &w, 8);
  }
  for (; i < len; i++) dst[i] = src[i] ^ uint8_t(key >> (8 * (i & 3)));
}

// Rotates a phase-0-aligned key so that byte 0 of the result is byte `by` of the input.
inline uint32_t rotateKey(uint32_t key, size_t by) {
  unsigned s = unsigned(by & 3) * 8;
  return s == 0 ? key : (key >> s) | (key << (32 - s));
}

}  // namespace
}  // namespace nvx
