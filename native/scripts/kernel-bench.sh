#!/bin/sh
# Times each x64 kernel without Node-API in between: sh native/scripts/kernel-bench.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cxx=${CXX:-g++}
flags="-O3 -std=c++17 -DNVX_HAVE_X64_KERNELS=1"
$cxx $flags -c "$here/src/kernel-avx512.cc" -mavx512f -mavx512bw -mavx512vl -mavx2 -mbmi -mbmi2 -Wno-maybe-uninitialized -o "$out/avx512.o"
$cxx $flags -c "$here/src/kernel-avx2.cc" -mavx2 -mbmi -mbmi2 -o "$out/avx2.o"
$cxx $flags -c "$here/src/kernel-sse41.cc" -msse4.1 -mssse3 -o "$out/sse41.o"
$cxx $flags -c "$here/src/kernel-sse2.cc" -msse2 -o "$out/sse2.o"
$cxx $flags -c "$here/src/kernel-scalar.cc" -o "$out/scalar.o"
$cxx $flags "$here/test/kernel-bench.cc" "$out"/*.o -o "$out/kernel-bench"
"$out/kernel-bench"
