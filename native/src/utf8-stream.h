// Incremental UTF-8 validation over any kernel: the automaton carries the code point that spans
// two chunks, the kernel scans the bulk, and the automaton finds the exact offset of the first
// bad byte once the kernel has seen one.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel.h"

namespace nvx {

// Lives in a Float64Array owned by the JavaScript validator, so its getters never call native
// code. Offsets are doubles: a message may exceed 4 GiB.
struct StreamState {
  double state;          // Utf8State
  double bytesSeen;      // since the last reset
  double invalidOffset;  // absolute offset of the first invalid byte, or -1
  double leadOffset;     // absolute offset of the lead byte of the sequence still open
};
constexpr size_t kStreamStateSlots = 4;

bool streamPush(const Kernel* k, StreamState* st, const uint8_t* p, size_t len);
// Unmasks p[0, len) with `key` (rotated to the phase of p[0]) and pushes it; the buffer is fully
// unmasked whatever the result.
bool streamUnmaskPush(const Kernel* k, StreamState* st, uint8_t* p, size_t len, uint32_t key);
// Whole-buffer validation: valid and complete.
bool isValidUtf8(const Kernel* k, const uint8_t* p, size_t len);

}  // namespace nvx
