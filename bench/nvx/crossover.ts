/**
 * Where native starts to pay: the same call through the TypeScript path and straight into the
 * kernel, at growing sizes. The thresholds in runtime/accel/native.ts come from this table.
 * Run: npx tsx bench/nvx/crossover.ts
 */
import { isUtf8 } from 'node:buffer';
import { acceleratorFor, usableKernels } from '../../runtime/accel/select.js';
import { createRequire } from 'node:module';
import { measureAll } from './harness.js';

interface BufferUtil {
  mask(source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number): void;
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}
const bufferutil = createRequire(import.meta.url)('bufferutil') as BufferUtil;

const kernel = usableKernels()[0];
if (kernel === undefined) {
  console.log('NVX addon not built: nothing to compare (npm run build:native)');
  process.exit(0);
}
const ts = acceleratorFor('ts')!;
const raw = acceleratorFor(kernel, { mask: 0, utf8: 0 })!;
const never = acceleratorFor(kernel, { mask: Infinity, utf8: Infinity })!;
const key = Uint8Array.of(1, 2, 3, 4);
const zeroKey = new Uint8Array(4);

console.log(`kernel ${kernel}; ns per call (TS path / native) and the native speed-up`);
console.log('size   mask ts/native/bufferutil    unmask ts/native/bufferutil  push ascii js/native     push mixed js/native     isUtf8/native');
for (const size of [8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512, 1024]) {
  const src = Buffer.alloc(size, 0x61);
  const out = Buffer.alloc(size);
  const mixed = Buffer.from('é'.repeat(size), 'utf8').subarray(0, size & ~1);
  const cells: string[] = [];
  const pair = (a: () => void, b: () => void, c?: () => void): string => {
    const m = measureAll(c ? [a, b, c] : [a, b], size).map((r) => r.ns);
    const [x, y] = m as [number, number];
    const third = m[2] === undefined ? '' : `/${m[2].toFixed(0).padStart(4)}`;
    return `${x.toFixed(0).padStart(4)}/${y.toFixed(0).padStart(4)}${third} ${(x / y).toFixed(2)}x`.padEnd(c ? 28 : 24);
  };
  cells.push(pair(() => ts.mask(src, key, out, 0, size), () => raw.mask(src, key, out, 0, size), () => bufferutil.mask(src, key, out, 0, size)));
  cells.push(pair(() => ts.unmask(out, key), () => raw.unmask(out, key), () => bufferutil.unmask(out, key)));
  const vj = never.createUtf8Validator();
  const vn = raw.createUtf8Validator();
  cells.push(pair(() => (vj.reset(), vj.push(src)), () => (vn.reset(), vn.push(src))));
  cells.push(pair(() => (vj.reset(), vj.push(mixed)), () => (vn.reset(), vn.push(mixed))));
  cells.push(pair(() => isUtf8(mixed), () => raw.isValidUtf8(mixed)));
  void zeroKey;
  console.log(`${String(size).padStart(5)}  ${cells.join(' ')}`);
}
