#include "cpu.h"

namespace nvx {
namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  // libgcc's cpuid reader also checks XGETBV, so AVX/AVX-512 count only when the OS enabled them.
  __builtin_cpu_init();
  f.sse2 = __builtin_cpu_supports("sse2");
  f.sse41 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
  f.avx2 = __builtin_cpu_supports("avx2");
  f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl");
#elif defined(__aarch64__) || defined(_M_ARM64)
  f.neon = true;  // mandatory in AArch64
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace nvx
