// Vectorised UTF-8 validation by table lookup, after Keiser and Lemire, "Validating UTF-8 In Less
// Than One Instruction Per Byte" (2021): three 16-entry nibble tables classify every pair of
// adjacent bytes, and a saturating-subtract test checks that 3rd and 4th bytes are continuations.
// The algorithm is written once over a vector "ops" type S that each ISA file supplies:
//   V; W (bytes per vector); load, store, bxor, bor, band, splat, table (broadcast 16 bytes),
//   lookup (16-entry table by low nibble), shr4 (per-byte >> 4), subs (unsigned saturating),
//   prev<N>(cur, prev) (cur shifted right by N bytes, filled from the end of prev),
//   ascii (no byte >= 0x80), any (some byte non-zero), zero.
// Everything is in an anonymous namespace: each kernel file instantiates its own copy with its
// own target flags (see utf8-dfa.h for why).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "utf8-dfa.h"

namespace nvx {
namespace {

// Error classes, one bit each; a byte pair is invalid when all three lookups share a bit.
enum : uint8_t {
  kTooShort = 1 << 0,     // lead followed by a non-continuation
  kTooLong = 1 << 1,      // ASCII followed by a continuation
  kOverlong3 = 1 << 2,    // E0 80..9F
  kTooLarge = 1 << 3,     // F4 90..BF, F5..FF + continuation
  kSurrogate = 1 << 4,    // ED A0..BF
  kOverlong2 = 1 << 5,    // C0/C1 + continuation
  kTooLarge1000 = 1 << 6, // F5..FF 80..8F
  kOverlong4 = 1 << 6,    // F0 80..8F
  kTwoConts = 1 << 7,     // continuation after continuation (must match the 3rd/4th byte test)
  kCarry = kTooShort | kTooLong | kTwoConts,
};

// Indexed by the high nibble of the first byte of a pair.
alignas(16) const uint8_t kFirstHigh[16] = {
    kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,
    kTwoConts, kTwoConts, kTwoConts, kTwoConts,
    kTooShort | kOverlong2,
    kTooShort,
    kTooShort | kOverlong3 | kSurrogate,
    kTooShort | kTooLarge | kTooLarge1000 | kOverlong4,
};
// Indexed by the low nibble of the first byte.
alignas(16) const uint8_t kFirstLow[16] = {
    kCarry | kOverlong3 | kOverlong2 | kOverlong4,
    kCarry | kOverlong2,
    kCarry,
    kCarry,
    kCarry | kTooLarge,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000 | kSurrogate,
    kCarry | kTooLarge | kTooLarge1000,
    kCarry | kTooLarge | kTooLarge1000,
};
// Indexed by the high nibble of the second byte.
alignas(16) const uint8_t kSecondHigh[16] = {
    kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4,
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge,
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
    kTooShort, kTooShort, kTooShort, kTooShort,
};
// A vector ending in an incomplete sequence has one of its last three bytes above these.
alignas(64) const uint8_t kIncompleteMax[64] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0 - 1, 0xE0 - 1, 0xC0 - 1,
};
// 64 x 00 then 64 x FF: loading at n gives a mask of the last n bytes of a block.
alignas(64) const uint8_t kTailMask[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};
// 64 x FF then 64 x 00: loading at (64 - n) gives a mask of the first n bytes of a block.
alignas(64) const uint8_t kHeadMask[128] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

constexpr size_t kBlock = 64;
// Aligning the scan costs a trip through a padded block (~20 ns), which a few split loads
// cost less than below this size (measured with avx512 at 1 KiB: 6 ns aligned, 29 ns
// misaligned with the trip).
constexpr size_t kAlignFrom = 8192;
// ASCII is skipped a unit (4 blocks) at a time; errors are tested once per group (4 units), so
// the hot loop has no per-block branch on the error vector.
constexpr size_t kUnit = 4 * kBlock;
constexpr size_t kGroup = 4 * kUnit;

template <class S>
struct Utf8Lookup {
  using V = typename S::V;
  static constexpr size_t N = kBlock / S::W;
  static constexpr size_t U = kUnit / S::W;

  // Error bits of every byte of `in`, given the vector before it.
  static inline V check(V in, V prev) {
    const V firstHigh = S::table(kFirstHigh), firstLow = S::table(kFirstLow), secondHigh = S::table(kSecondHigh);
    V prev1 = S::template prev<1>(in, prev);
    V special = S::band(S::band(S::lookup(firstHigh, S::shr4(prev1)),
                                S::lookup(firstLow, S::band(prev1, S::splat(0x0F)))),
                        S::lookup(secondHigh, S::shr4(in)));
    V third = S::subs(S::template prev<2>(in, prev), S::splat(0xE0 - 0x80));
    V fourth = S::subs(S::template prev<3>(in, prev), S::splat(0xF0 - 0x80));
    V must23 = S::band(S::bor(third, fourth), S::splat(0x80));
    return S::bxor(must23, special);
  }

  static inline V incomplete(V in) { return S::subs(in, S::load(kIncompleteMax + kBlock - S::W)); }

  // K vectors from p (unmasked and stored back with Unmask), checked against *prev; the ASCII
  // shortcut skips the checks, in which case an incomplete sequence before them is the error.
  // The checks reload the vectors from memory (L1, and already unmasked) rather than keep all K
  // live: with 16-byte vectors K is 16, which would spill every register.
  template <bool Unmask, size_t K>
  static inline void step(uint8_t* p, V keyv, V* prev, V* prevIncomplete, V* err) {
    V all = S::zero();
    for (size_t j = 0; j < K; j++) {
      V in = S::load(p + j * S::W);
      if constexpr (Unmask) {
        in = S::bxor(in, keyv);
        S::store(p + j * S::W, in);
      }
      all = S::bor(all, in);
    }
    V last = S::load(p + (K - 1) * S::W);
    if (S::ascii(all)) {
      *err = S::bor(*err, *prevIncomplete);
      *prevIncomplete = S::zero();
    } else {
      V before = *prev;
      V e = S::zero();
      for (size_t j = 0; j < K; j++) {
        V in = S::load(p + j * S::W);
        e = S::bor(e, check(in, before));
        before = in;
      }
      *err = S::bor(*err, e);
      *prevIncomplete = incomplete(last);
    }
    *prev = last;
  }

  // The scan of Kernel::validate / unmaskValidate. With Unmask, every block is XORed with the
  // key on its way through the registers and stored back before it is checked.
  template <bool Unmask>
  static size_t run(uint8_t* p, size_t len, uint32_t key) {
    V prev = S::zero(), prevIncomplete = S::zero(), err = S::zero();
    size_t i = 0;
    // No error before `checked`, which is where the current group began.
    size_t checked = 0;
    size_t head = size_t(-reinterpret_cast<uintptr_t>(p)) & (S::W - 1);
    if (head != 0 && len >= kAlignFrom) {
      // Align the loop's loads and stores (a split cache line costs about two). The head goes
      // through a block with its bytes at the end, after zeros (ASCII, so they raise nothing),
      // which leaves the real last bytes where the next block looks for them.
      alignas(64) uint8_t tmp[kBlock] = {};
      uint8_t* at = tmp + kBlock - head;
      std::memcpy(at, p, head);
      if constexpr (Unmask) {
        scalarMask(at, at, head, key);
        std::memcpy(p, at, head);
        key = rotateKey(key, head);
      }
      step<false, N>(tmp, S::zero(), &prev, &prevIncomplete, &err);
      i = head;
    }
    const V keyv = S::splat32(key);
    while (i + kUnit <= len) {
      step<Unmask, U>(p + i, keyv, &prev, &prevIncomplete, &err);
      i += kUnit;
      if (i - checked >= kGroup) {
        if (S::any(err)) return fail<Unmask>(p, checked, i, len, key);
        checked = i;
      }
    }
    for (; i + kBlock <= len; i += kBlock) step<Unmask, N>(p + i, keyv, &prev, &prevIncomplete, &err);
    if (S::any(err)) return fail<Unmask>(p, checked, i, len, key);
    checked = i;
    if (i < len && len >= kBlock + S::W) {
      // The tail as the last whole block of the buffer, overlapping bytes already checked:
      // their error bits are those of the first pass (an error is a function of a byte and
      // the three before it), which found none, and are masked off anyway. With Unmask only
      // the new bytes are XORed (the key is zero over the rest). This saves the copy through
      // a padded block below, whose narrow stores a wide load cannot forward from (~15 ns).
      size_t n = len - i;
      uint8_t* b = p + len - kBlock;
      const V tailKey = S::splat32(rotateKey(key, n));
      V last = S::load(b - S::W);
      for (size_t j = 0; j < N; j++) {
        const V fresh = S::load(kTailMask + n + j * S::W);
        V in = S::load(b + j * S::W);
        if constexpr (Unmask) {
          in = S::bxor(in, S::band(tailKey, fresh));
          S::store(b + j * S::W, in);
        }
        err = S::bor(err, S::band(check(in, last), fresh));
        last = in;
      }
      if (S::any(err)) return boundaryAtOrBefore(p, 0, checked);
    } else if (i < len) {
      // The tail goes through a zero-padded block; errors are kept only for real bytes, which
      // depend on nothing after them, so the padding cannot invent or hide one. Fully checked
      // against `prev`, so the ASCII shortcut's prevIncomplete plays no part.
      size_t n = len - i;
      alignas(64) uint8_t tmp[kBlock] = {};
      std::memcpy(tmp, p + i, n);
      V last = prev;
      for (size_t j = 0; j < N; j++) {
        V in = S::load(tmp + j * S::W);
        if constexpr (Unmask) {
          in = S::bxor(in, keyv);
          S::store(tmp + j * S::W, in);
        }
        V e = check(in, last);
        err = S::bor(err, S::band(e, S::load(kHeadMask + kBlock - n + j * S::W)));
        last = in;
      }
      if constexpr (Unmask) std::memcpy(p + i, tmp, n);
      if (S::any(err)) return boundaryAtOrBefore(p, 0, checked);
    }
    return len;
  }

  // An error lies at or after `checked`: unmask what the scan did not reach, and hand back a
  // boundary from which the exact scan starts.
  template <bool Unmask>
  static size_t fail(uint8_t* p, size_t checked, size_t reached, size_t len, uint32_t key) {
    if constexpr (Unmask) S::maskRange(p + reached, p + reached, len - reached, key);
    (void)key;
    (void)reached;
    return boundaryAtOrBefore(p, 0, checked);
  }
};

// Masking over the same ops: four vectors per step, then one, then bytes. The aligning head
// (a masked or scalar piece) costs more than the split stores it saves below this size
// (avx512, in place, 1 KiB 16 bytes off alignment: 10.3 ns aligning, 8.0 ns not; even at 2 KiB).
constexpr size_t kMaskAlignFrom = 2048;

template <class S>
inline void vectorMask(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key) {
  using V = typename S::V;
  if (len >= kMaskAlignFrom) {
    // Align the stores: a store that splits two cache lines costs about two.
    size_t head = size_t(-reinterpret_cast<uintptr_t>(dst)) & (S::W - 1);
    if (head != 0) {
      S::maskTail(src, dst, head, key);
      src += head;
      dst += head;
      len -= head;
      key = rotateKey(key, head);
    }
  }
  const V k = S::splat32(key);
  size_t i = 0;
  for (; i + 4 * S::W <= len; i += 4 * S::W) {
    V a = S::load(src + i), b = S::load(src + i + S::W), c = S::load(src + i + 2 * S::W),
      d = S::load(src + i + 3 * S::W);
    S::store(dst + i, S::bxor(a, k));
    S::store(dst + i + S::W, S::bxor(b, k));
    S::store(dst + i + 2 * S::W, S::bxor(c, k));
    S::store(dst + i + 3 * S::W, S::bxor(d, k));
  }
  for (; i + S::W <= len; i += S::W) S::store(dst + i, S::bxor(S::load(src + i), k));
  if (i < len) S::maskTail(src + i, dst + i, len - i, key);
}

}  // namespace
}  // namespace nvx
