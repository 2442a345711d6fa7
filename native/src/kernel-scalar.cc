// The scalar kernel: the native reference every SIMD kernel is tested against, and the fallback
// on CPUs (or architectures) without a vector kernel.
#include "kernel.h"
#include "utf8-dfa.h"

namespace nvx {
namespace {

size_t validate(const uint8_t* p, size_t len) { return scalarValidate(p, len, skipAscii8); }

// No vector registers to carry bytes between the two steps, so this is two passes; the SIMD
// kernels fuse them.
size_t unmaskValidate(uint8_t* p, size_t len, uint32_t key) {
  scalarMask(p, p, len, key);
  return validate(p, len);
}

const Kernel kScalar = {"scalar", scalarMask, validate, unmaskValidate};

}  // namespace

const Kernel* scalarKernel() { return &kScalar; }

}  // namespace nvx
