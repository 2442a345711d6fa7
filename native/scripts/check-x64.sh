#!/bin/sh
# Cross-checks every x64 kernel this CPU runs against the scalar one, in C++ without Node-API
# (a quicker loop than the JavaScript suite when changing a kernel): sh native/scripts/check-x64.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cxx=${CXX:-g++}
flags="-O2 -std=c++17 -Wall -Wextra -DNVX_HAVE_X64_KERNELS=1"
$cxx $flags -c "$here/src/kernel-avx512.cc" -mavx512f -mavx512bw -mavx512vl -mavx2 -mbmi -mbmi2 -Wno-maybe-uninitialized -o "$out/avx512.o"
$cxx $flags -c "$here/src/kernel-avx2.cc" -mavx2 -mbmi -mbmi2 -o "$out/avx2.o"
$cxx $flags -c "$here/src/kernel-sse41.cc" -msse4.1 -mssse3 -o "$out/sse41.o"
$cxx $flags -c "$here/src/kernel-sse2.cc" -msse2 -o "$out/sse2.o"
$cxx $flags "$here/test/x64-vs-scalar.cc" "$here/src/kernel-scalar.cc" "$here/src/utf8-stream.cc" "$here/src/registry.cc" "$here/src/cpu.cc" "$out"/*.o -o "$out/x64-vs-scalar"
"$out/x64-vs-scalar"
