// The kernel interface: what every ISA-specific file implements, and nothing else.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nvx {

// All offsets are bytes from the pointer passed in. A "key" is the 4-byte WebSocket mask as a
// little-endian uint32 already rotated to the phase of the first byte, so byte i is XORed with
// (key >> (8 * (i & 3))) & 0xFF.
struct Kernel {
  const char* name;
  // dst[i] = src[i] ^ key byte (i & 3); src and dst may be the same pointer.
  void (*mask)(const uint8_t* src, uint8_t* dst, size_t len, uint32_t key);
  // Scans p[0, len), which starts on a code point boundary, for UTF-8 errors. A sequence left
  // open at the end is not an error (the caller handles stream ends). Returns len when nothing
  // is wrong, otherwise an offset r on a code point boundary at or before the first invalid byte,
  // from where an exact scalar scan finds it.
  size_t (*validate)(const uint8_t* p, size_t len);
  // Unmasks p[0, len) in place and does what validate does, in one pass where the ISA allows.
  // The whole buffer is unmasked whatever the result.
  size_t (*unmaskValidate)(uint8_t* p, size_t len, uint32_t key);
};

// Each kernel file defines one of these; registry.cc decides which may run on this CPU.
const Kernel* scalarKernel();
#if defined(NVX_HAVE_X64_KERNELS)
const Kernel* sse2Kernel();
const Kernel* sse41Kernel();
const Kernel* avx2Kernel();
const Kernel* avx512Kernel();
#endif
#if defined(NVX_HAVE_NEON_KERNEL)
const Kernel* neonKernel();
#endif

}  // namespace nvx
