/** TypeScript reference masking (RFC 6455 section 5.3): XOR with a 4-byte key. */

export function mask(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  outputOffset: number,
  length: number,
  phase = 0,
): void {
  const k0 = maskKey[phase & 3]!;
  const k1 = maskKey[(phase + 1) & 3]!;
  const k2 = maskKey[(phase + 2) & 3]!;
  const k3 = maskKey[(phase + 3) & 3]!;
  let i = 0;
  const whole = length & ~3;
  for (; i < whole; i += 4) {
    output[outputOffset + i] = source[i]! ^ k0;
    output[outputOffset + i + 1] = source[i + 1]! ^ k1;
    output[outputOffset + i + 2] = source[i + 2]! ^ k2;
    output[outputOffset + i + 3] = source[i + 3]! ^ k3;
  }
  for (; i < length; i++) output[outputOffset + i] = source[i]! ^ maskKey[(phase + i) & 3]!;
}

export function unmask(buffer: Uint8Array, maskKey: Uint8Array, phase = 0): void {
  mask(buffer, maskKey, buffer, 0, buffer.length, phase);
}
