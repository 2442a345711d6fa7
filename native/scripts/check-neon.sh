#!/bin/sh
# Cross-checks the NEON kernel against the scalar one on an x64 machine, in C++ without Node-API:
#   apt-get install g++-aarch64-linux-gnu qemu-user; sh native/scripts/check-neon.sh
# (test/accel/nvx-arm64-qemu.test.ts runs this, and the NVX suite on an arm64 Node under qemu.)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64)
aarch64-linux-gnu-g++ -O2 -std=c++17 -Wall -Wextra -static -DNVX_HAVE_NEON_KERNEL=1 \
  "$here/test/kernel-vs-scalar.cc" "$here/src/kernel-neon.cc" "$here/src/kernel-scalar.cc" "$here/src/utf8-stream.cc" \
  -o "$out/kernel-vs-scalar"
"$qemu" "$out/kernel-vs-scalar"
