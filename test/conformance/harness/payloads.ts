/** Deterministic payloads for the cases (seeded, so a failure reproduces). */

// Large payloads are made once per process; callers never modify them.
const made = new Map<string, Buffer>();
function memo(key: string, length: number, make: () => Buffer): Buffer {
  if (length < 64 * 1024) return make();
  let b = made.get(key);
  if (b === undefined) {
    b = make();
    made.set(key, b);
  }
  return b;
}

/** Printable ASCII text of `length` bytes. */
export function asciiText(length: number, seed = 1): Buffer {
  return memo(`a${length}:${seed}`, length, () => makeAscii(length, seed));
}

function makeAscii(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = 0x20 + ((x >>> 0) % 95);
  }
  return out;
}

/** Bytes 0..255 repeating. */
export function binaryPattern(length: number): Buffer {
  return memo(`b${length}`, length, () => makePattern(length));
}

function makePattern(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = i & 0xff;
  return out;
}

/** Pseudo-random bytes: incompressible. */
export function randomish(length: number, seed = 7): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Highly compressible text: a short sentence repeated. */
export function repetitiveText(length: number): Buffer {
  const unit = Buffer.from('Hello, permessage-deflate! The quick brown fox jumps over the lazy dog. ');
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += unit.length) unit.copy(out, i, 0, Math.min(unit.length, length - i));
  return out;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
