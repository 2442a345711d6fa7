// Kernel-only timings (no Node-API crossing), the "Kernel-only figures" of docs/accelerator.md.
// Build and run with native/scripts/kernel-bench.sh on an x64 machine.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../src/kernel.h"

namespace {

template <class F>
double best(F f) {
  double ns = 1e18;
  for (int round = 0; round < 40; round++) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; i++) {
      f();
      asm volatile("" ::: "memory");
    }
    auto t1 = std::chrono::steady_clock::now();
    ns = std::min(ns, std::chrono::duration<double, std::nano>(t1 - t0).count() / 100);
  }
  return ns;
}

}  // namespace

int main() {
  const size_t n = 65536;
  uint8_t* ascii = static_cast<uint8_t*>(aligned_alloc(64, n + 64));
  uint8_t* mixed = static_cast<uint8_t*>(aligned_alloc(64, n + 64));
  uint8_t* out = static_cast<uint8_t*>(aligned_alloc(64, n + 64));
  const char* unit = "Gr\xc3\xbc\xc3\x9f" "e, \xe4\xb8\x96\xe7\x95\x8c! \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xf0\x9f\x98\x80 ";
  const size_t unitLength = std::strlen(unit);
  const size_t mixedLength = n - n % unitLength;
  for (size_t i = 0; i < n; i++) {
    ascii[i] = 'a' + i % 26;
    mixed[i] = static_cast<uint8_t>(unit[i % unitLength]);
  }
  const nvx::Kernel* kernels[] = {nvx::avx512Kernel(), nvx::avx2Kernel(), nvx::sse41Kernel(), nvx::sse2Kernel(),
                                  nvx::scalarKernel()};
  std::printf("64 KiB, ns per call     mask->out  unmask  valid-ascii  valid-mixed  fused-mixed\n");
  for (const nvx::Kernel* k : kernels) {
    if (k == nvx::avx512Kernel() && !__builtin_cpu_supports("avx512bw")) continue;
    if (k == nvx::avx2Kernel() && !__builtin_cpu_supports("avx2")) continue;
    double m = best([&] { k->mask(ascii, out, n, 0x01020304); });
    double u = best([&] { k->mask(out, out, n, 0x01020304); });
    double va = best([&] { volatile size_t r = k->validate(ascii, n); (void)r; });
    double vm = best([&] { volatile size_t r = k->validate(mixed, mixedLength); (void)r; });
    double f = best([&] { volatile size_t r = k->unmaskValidate(mixed, mixedLength, 0); (void)r; });
    std::printf("%-22s %10.0f %7.0f %12.0f %12.0f %12.0f\n", k->name, m, u, va, vm, f);
  }
  double c = best([&] { std::memcpy(out, ascii, n); });
  std::printf("%-22s %10.0f\n", "memcpy", c);
  return 0;
}
