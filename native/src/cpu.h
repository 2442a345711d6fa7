// CPU feature detection, done once at load.
#pragma once

namespace nvx {

struct CpuFeatures {
  bool sse2 = false;
  bool sse41 = false;  // with SSSE3
  bool avx2 = false;
  bool avx512 = false;  // F + BW + VL, with the OS saving the ZMM state
  bool neon = false;
};

const CpuFeatures& cpuFeatures();

}  // namespace nvx
