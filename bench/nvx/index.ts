/**
 * NVX speed against its peers, side by side in one run (not a test: figures vary by machine).
 * Run: npm run bench:nvx   (or npx tsx bench/nvx/index.ts)
 *
 * "ours" is what wampkit/nvx runs for that size (TS below the crossover, the active kernel above).
 */
import { createRequire } from 'node:module';
import { isUtf8 } from 'node:buffer';
import * as nvx from '../../runtime/nvx.js';
import { acceleratorFor } from '../../runtime/accel/select.js';
import { formatSize, measureAll, printTable, type Measurement, type Row } from './harness.js';

interface BufferUtil {
  mask(source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number): void;
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}
const bufferutil = createRequire(import.meta.url)('bufferutil') as BufferUtil;

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
/** Validation benches unmask with a zero key so the data stays valid; the XOR still runs. */
const ZERO_KEY = new Uint8Array(4);
const KiB = 1024;
const MiB = 1024 * KiB;

function text(kind: 'ascii' | 'mixed', size: number): Buffer {
  const unit = kind === 'ascii' ? 'The quick brown fox jumps over the lazy dog. ' : 'Grüße, 世界! Привет мир 😀 naïve café ';
  let s = unit.repeat(Math.ceil(size / Buffer.byteLength(unit)) + 1);
  let b = Buffer.from(s, 'utf8').subarray(0, size);
  // Cut back to a code point boundary so the whole buffer is valid.
  let end = b.length;
  while (end > 0 && (b[end - 1]! & 0xc0) === 0x80) end--;
  if (end > 0 && b[end - 1]! >= 0xc0) end--;
  s = '';
  b = Buffer.concat([b.subarray(0, end), Buffer.alloc(size - end, 0x20)]);
  return b;
}

function pair(what: string, size: number, ours: () => void, peerName: string, peer: () => void, target?: number): Row {
  const [a, b] = measureAll([ours, peer], size) as [Measurement, Measurement];
  return { what, size: formatSize(size), ours: a, peerName, peer: b, ...(target === undefined ? {} : { target }) };
}

console.log(`wampkit NVX bench: implementation=${nvx.implementation}, node ${process.version}, ${process.arch}`);

// --- masking -------------------------------------------------------------------------------
const maskRows: Row[] = [];
const unmaskRows: Row[] = [];
const copyRows: Row[] = [];
const maskTarget = (size: number): number => (size >= 64 * KiB ? 1.7 : size >= KiB ? 1.5 : 1.0);
for (const size of [16, 64, KiB, 64 * KiB, MiB]) {
  const src = Buffer.alloc(size, 0x5a);
  const out = Buffer.alloc(size);
  const buf = Buffer.alloc(size, 0x33);
  maskRows.push(
    pair('mask (source -> output)', size, () => nvx.mask(src, KEY, out, 0, size), 'bufferutil.mask', () => bufferutil.mask(src, KEY, out, 0, size), maskTarget(size)),
  );
  unmaskRows.push(
    pair('unmask (in place)', size, () => nvx.unmask(buf, KEY), 'bufferutil.unmask', () => bufferutil.unmask(buf, KEY), maskTarget(size)),
  );
  copyRows.push(pair('mask (source -> output)', size, () => nvx.mask(src, KEY, out, 0, size), 'memcpy (Buffer.copy)', () => src.copy(out, 0, 0, size)));
}
printTable('Masking vs bufferutil (targets: >=1.7x at 64 KiB/1 MiB, >=1.5x at 1 KiB, >=1.0x at 16-64 B)', [...maskRows, ...unmaskRows]);
printTable('Masking vs the memcpy ceiling (ratio = memcpy time / ours; 1.0 would be copy speed)', copyRows);

// --- whole-buffer UTF-8 ----------------------------------------------------------------------
const wholeRows: Row[] = [];
const kernelName = nvx.implementation === 'ts' ? undefined : nvx.implementation;
const rawKernel = kernelName === undefined ? undefined : acceleratorFor(kernelName, { mask: 0, utf8: 0 });
for (const kind of ['ascii', 'mixed'] as const) {
  const b = text(kind, 64 * KiB);
  wholeRows.push(pair(`isValidUtf8 ${kind} (chosen path)`, b.length, () => nvx.isValidUtf8(b), 'buffer.isUtf8', () => isUtf8(b), 0.9));
  if (rawKernel !== undefined) {
    wholeRows.push(pair(`isValidUtf8 ${kind} (${kernelName} kernel)`, b.length, () => rawKernel.isValidUtf8(b), 'buffer.isUtf8', () => isUtf8(b)));
  }
}
printTable('Whole-buffer UTF-8 vs buffer.isUtf8 (simdutf) (target >= 0.9x)', wholeRows);

// --- incremental UTF-8 -----------------------------------------------------------------------
const incRows: Row[] = [];
for (const kind of ['ascii', 'mixed'] as const) {
  const b = text(kind, 64 * KiB);
  for (const chunk of [KiB, 64 * KiB]) {
    const pieces = Array.from({ length: b.length / chunk }, (_, i) => b.subarray(i * chunk, (i + 1) * chunk));
    const v = nvx.createUtf8Validator();
    incRows.push(
      pair(
        `Utf8Validator ${kind}, ${formatSize(chunk)} chunks`,
        b.length,
        () => {
          v.reset();
          for (const p of pieces) v.push(p);
          v.finish();
        },
        'whole-buffer isUtf8',
        () => isUtf8(b),
        0.8,
      ),
    );
  }
}
// The floor for anything that crosses into C++ once per chunk: buffer.isUtf8 itself, called on
// each 1 KiB piece (no carry across pieces, so not a validator; for scale only).
for (const kind of ['ascii', 'mixed'] as const) {
  const b = text(kind, 64 * KiB);
  const pieces = Array.from({ length: 64 }, (_, i) => b.subarray(i * KiB, (i + 1) * KiB));
  incRows.push(
    pair(`(floor) isUtf8 per 1 KiB, ${kind}`, b.length, () => {
      for (const p of pieces) isUtf8(p);
    }, 'whole-buffer isUtf8', () => isUtf8(b)),
  );
}
printTable('Incremental validation of 64 KiB vs one whole-buffer buffer.isUtf8 (target >= 0.8x)', incRows);

// --- fused unmask + validate -----------------------------------------------------------------
const fusedRows: Row[] = [];
for (const kind of ['ascii', 'mixed'] as const) {
  const b = text(kind, 64 * KiB);
  const v = nvx.createUtf8Validator();
  fusedRows.push(
    pair(
      `unmaskAndValidateUtf8 ${kind}`,
      b.length,
      () => {
        v.reset();
        nvx.unmaskAndValidateUtf8(b, ZERO_KEY, 0, v);
      },
      'unmask, then push',
      () => {
        v.reset();
        nvx.unmask(b, ZERO_KEY, 0);
        v.push(b);
      },
      1.3,
    ),
  );
  fusedRows.push(
    pair(
      `unmaskAndValidateUtf8 ${kind}`,
      b.length,
      () => {
        v.reset();
        nvx.unmaskAndValidateUtf8(b, ZERO_KEY, 0, v);
      },
      'bufferutil.unmask+isUtf8',
      () => {
        bufferutil.unmask(b, ZERO_KEY);
        isUtf8(b);
      },
    ),
  );
}
printTable('Fused unmask + validate at 64 KiB vs two passes (target >= 1.3x the two passes)', fusedRows);
