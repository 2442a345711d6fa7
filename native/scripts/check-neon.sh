#!/bin/sh
# Cross-checks the NEON kernel against the scalar one on an x64 machine:
#   apt-get install g++-aarch64-linux-gnu qemu-user-static; sh native/scripts/check-neon.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
aarch64-linux-gnu-g++ -O2 -std=c++17 -Wall -Wextra -static -DNVX_HAVE_NEON_KERNEL=1 \
  "$here/test/kernel-vs-scalar.cc" "$here/src/kernel-neon.cc" "$here/src/kernel-scalar.cc" "$here/src/utf8-stream.cc" \
  -o "$out/kernel-vs-scalar"
qemu-aarch64-static "$out/kernel-vs-scalar"
