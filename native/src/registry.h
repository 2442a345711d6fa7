// Which kernels this binary has and which of them this CPU can run, best first.
#pragma once
#include <cstddef>

#include "kernel.h"

namespace nvx {

struct KernelEntry {
  const Kernel* kernel;
  bool usable;  // compiled in and supported by this CPU
};

// Every kernel compiled into this binary, best first; the last one is always scalar.
size_t kernelCount();
KernelEntry kernelAt(size_t i);
// The kernel called `name` if it can run here, else nullptr.
const Kernel* findUsableKernel(const char* name);

}  // namespace nvx
