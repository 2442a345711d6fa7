#include "utf8-stream.h"

#include "utf8-dfa.h"

namespace nvx {
namespace {

// The automaton over p[from, len) starting in `s`, recording offsets in `st` (base is the
// absolute offset of p[0]). Writes the final state back; returns false on the first bad byte.
bool scan(StreamState* st, uint8_t s, const uint8_t* p, size_t from, size_t len, double base) {
  for (size_t j = from; j < len; j++) {
    if (s == kAccept) st->leadOffset = base + double(j);
    s = utf8Step(s, p[j]);
    if (s == kReject) {
      st->state = kReject;
      st->invalidOffset = base + double(j);
      return false;
    }
  }
  st->state = s;
  return true;
}

// Steps over the bytes that finish the sequence left open by the previous chunk; returns where
// the bulk starts (a boundary), or len. False in `ok` when one of them is invalid.
size_t finishOpenSequence(StreamState* st, const uint8_t* p, size_t len, double base, bool* ok) {
  uint8_t s = uint8_t(st->state);
  size_t i = 0;
  while (s != kAccept && i < len) {
    s = utf8Step(s, p[i]);
    if (s == kReject) {
      st->state = kReject;
      st->invalidOffset = base + double(i);
      *ok = false;
      return i;
    }
    i++;
  }
  st->state = s;
  *ok = true;
  return i;
}

// After the kernel looked at p[i, len): exact error location, or the trailing open sequence.
bool settle(StreamState* st, const uint8_t* p, size_t i, size_t len, size_t r, double base) {
  if (r < len - i) return scan(st, kAccept, p, i + r, len, base);
  return scan(st, kAccept, p, trailingCut(p, i, len), len, base);
}

}  // namespace

bool streamPush(const Kernel* k, StreamState* st, const uint8_t* p, size_t len) {
  if (uint8_t(st->state) == kReject) return false;
  double base = st->bytesSeen;
  st->bytesSeen += double(len);
  bool ok;
  size_t i = finishOpenSequence(st, p, len, base, &ok);
  if (!ok) return false;
  if (i == len) return true;
  size_t r = k->validate(p + i, len - i);
  return settle(st, p, i, len, r, base);
}

bool streamUnmaskPush(const Kernel* k, StreamState* st, uint8_t* p, size_t len, uint32_t key) {
  if (uint8_t(st->state) == kReject) {
    k->mask(p, p, len, key);
    return false;
  }
  // The open sequence needs at most three bytes: unmask those first, scalar.
  size_t head = 0;
  if (uint8_t(st->state) != kAccept) {
    head = len < 3 ? len : 3;
    scalarMask(p, p, head, key);
  }
  double base = st->bytesSeen;
  st->bytesSeen += double(len);
  bool ok;
  size_t i = finishOpenSequence(st, p, head, base, &ok);
  if (!ok || i < head) {
    // Invalid, or the open sequence took fewer than `head` bytes: re-mask the surplus
    // (XOR twice restores it) so the fused pass below sees masked bytes throughout.
    if (!ok) {
      k->mask(p + head, p + head, len - head, rotateKey(key, head));
      return false;
    }
    scalarMask(p + i, p + i, head - i, rotateKey(key, i));
  }
  if (i == len) return true;
  size_t r = k->unmaskValidate(p + i, len - i, rotateKey(key, i));
  return settle(st, p, i, len, r, base);
}

bool isValidUtf8(const Kernel* k, const uint8_t* p, size_t len) {
  return k->validate(p, len) == len && trailingCut(p, 0, len) == len;
}

}  // namespace nvx
