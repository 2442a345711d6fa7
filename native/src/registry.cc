#include "registry.h"

#include <cstring>

#include "cpu.h"

namespace nvx {
namespace {

using Getter = const Kernel* (*)();
struct Candidate {
  Getter get;
  bool CpuFeatures::*feature;  // nullptr: runs everywhere
};

// Best first: the first usable entry is the default choice.
const Candidate kCandidates[] = {
#if defined(NVX_HAVE_X64_KERNELS)
    {avx512Kernel, &CpuFeatures::avx512},
    {avx2Kernel, &CpuFeatures::avx2},
    {sse41Kernel, &CpuFeatures::sse41},
    {sse2Kernel, &CpuFeatures::sse2},
#endif
#if defined(NVX_HAVE_NEON_KERNEL)
    {neonKernel, &CpuFeatures::neon},
#endif
    {scalarKernel, nullptr},
};

}  // namespace

size_t kernelCount() { return sizeof(kCandidates) / sizeof(kCandidates[0]); }

KernelEntry kernelAt(size_t i) {
  const Candidate& c = kCandidates[i];
  bool usable = c.feature == nullptr || cpuFeatures().*(c.feature);
  return {c.get(), usable};
}

const Kernel* findUsableKernel(const char* name) {
  for (size_t i = 0; i < kernelCount(); i++) {
    KernelEntry e = kernelAt(i);
    if (e.usable && std::strcmp(e.kernel->name, name) == 0) return e.kernel;
  }
  return nullptr;
}

}  // namespace nvx
