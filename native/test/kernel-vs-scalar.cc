// Differential check of the NEON kernel against the scalar kernel, for x64 machines that cannot
// run the addon's arm64 build: cross-compiled and run under qemu by native/scripts/check-neon.sh.
// (On x64 and arm64 hosts the JavaScript suite, test/accel, covers every kernel the CPU has.)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../src/kernel.h"
#include "../src/utf8-stream.h"

int main() {
  const nvx::Kernel* n = nvx::neonKernel();
  const nvx::Kernel* s = nvx::scalarKernel();
  uint32_t x = 12345; int bad = 0;
  auto rnd = [&]() { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; };
  const char* text = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x9a\x80 ";
  for (int iter = 0; iter < 200000; iter++) {
    size_t len = rnd() % 3000; uint8_t* a = (uint8_t*)malloc(len + 64); uint8_t* b = (uint8_t*)malloc(len + 64);
    size_t off = rnd() % 64;
    for (size_t i = 0; i < len; i++) a[off + i] = text[(i + iter) % strlen(text)];
    int edits = rnd() % 3; for (int e = 0; e < edits && len; e++) a[off + rnd() % len] = rnd();
    memcpy(b, a, len + 64);
    bool vn = nvx::isValidUtf8(n, a + off, len), vs = nvx::isValidUtf8(s, a + off, len);
    if (vn != vs) { bad++; }
    nvx::StreamState st1 = {0, 0, -1, 0}, st2 = {0, 0, -1, 0};
    uint32_t key = rnd();
    s->mask(a + off, a + off, len, key); memcpy(b + off, a + off, len);
    bool r1 = nvx::streamUnmaskPush(n, &st1, a + off, len, key), r2 = nvx::streamUnmaskPush(s, &st2, b + off, len, key);
    if (r1 != r2 || st1.invalidOffset != st2.invalidOffset || memcmp(a + off, b + off, len)) bad++;
    free(a); free(b);
  }
  printf("neon vs scalar mismatches: %d\n", bad);
  return bad != 0;
}
