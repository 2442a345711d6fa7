// Differential check of every x64 kernel this CPU runs against the scalar kernel, straight in
// C++ (no Node-API): random text, ASCII and mixed, with a few corrupted bytes, at random lengths
// (up to 20 000, so the aligned scan and the overlapping tail block are both reached) and random
// start alignments; whole-buffer validation, fused unmask + validate, and a stream split at a
// random point must agree byte for byte and offset for offset.
// Run: sh native/scripts/check-x64.sh
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../src/kernel.h"
#include "../src/registry.h"
#include "../src/utf8-stream.h"

int main() {
  const nvx::Kernel* s = nvx::scalarKernel();
  const char* texts[] = {"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x9a\x80 ", "plain ascii text here, nothing else "};
  uint32_t x = 12345;
  auto rnd = [&]() {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  int bad = 0;
  for (size_t ki = 0; ki < nvx::kernelCount(); ki++) {
    const nvx::KernelEntry k = nvx::kernelAt(ki);
    if (k.kernel == s) continue;
    if (!k.usable) {
      std::printf("%s: not on this CPU, skipped\n", k.kernel->name);
      continue;
    }
    const nvx::Kernel* n = k.kernel;
    int kernelBad = 0;
    for (int iter = 0; iter < 100000; iter++) {
      const char* text = texts[iter & 1];
      size_t len = rnd() % (iter % 7 == 0 ? 20000 : 1200);
      uint8_t* a = static_cast<uint8_t*>(std::malloc(len + 64));
      uint8_t* b = static_cast<uint8_t*>(std::malloc(len + 64));
      size_t off = rnd() % 64;
      for (size_t i = 0; i < len; i++) a[off + i] = uint8_t(text[(i + iter) % std::strlen(text)]);
      int edits = rnd() % 3;
      for (int e = 0; e < edits && len; e++) a[off + rnd() % len] = uint8_t(rnd());
      std::memcpy(b, a, len + 64);
      if (nvx::isValidUtf8(n, a + off, len) != nvx::isValidUtf8(s, a + off, len)) kernelBad++;
      nvx::StreamState st1 = {0, 0, -1, 0}, st2 = {0, 0, -1, 0};
      uint32_t key = rnd();
      s->mask(a + off, a + off, len, key);
      std::memcpy(b + off, a + off, len);
      bool r1 = nvx::streamUnmaskPush(n, &st1, a + off, len, key), r2 = nvx::streamUnmaskPush(s, &st2, b + off, len, key);
      if (r1 != r2 || st1.invalidOffset != st2.invalidOffset || std::memcmp(a + off, b + off, len)) kernelBad++;
      nvx::StreamState t1 = {0, 0, -1, 0}, t2 = {0, 0, -1, 0};
      size_t cut = len ? rnd() % len : 0;
      bool q1 = nvx::streamPush(n, &t1, b + off, cut) && nvx::streamPush(n, &t1, b + off + cut, len - cut);
      bool q2 = nvx::streamPush(s, &t2, b + off, cut) && nvx::streamPush(s, &t2, b + off + cut, len - cut);
      if (q1 != q2 || t1.invalidOffset != t2.invalidOffset || t1.state != t2.state) kernelBad++;
      std::free(a);
      std::free(b);
    }
    std::printf("%s: %s\n", n->name, kernelBad ? "MISMATCH" : "ok");
    bad += kernelBad;
  }
  return bad != 0;
}
