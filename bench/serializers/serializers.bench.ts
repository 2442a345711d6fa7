/**
 * Serializer speed (not a test: figures vary by machine and load). Every message is decoded and
 * encoded by our three serializers, by the plain library call they build on (JSON.parse /
 * JSON.stringify for JSON), and, with --baseline, by the serializers of another checkout, in
 * the same run, interleaved round by round; the median of the rounds is shown.
 *
 *   npx tsx bench/serializers/serializers.bench.ts [--baseline <dir with runtime/>] [--rounds 15] [--ms 40]
 *
 * e.g. a baseline of the previous revision:
 *   git archive <rev> runtime | tar -x -C /tmp/base && npx tsx bench/serializers/serializers.bench.ts --baseline /tmp/base
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import * as ours from '../../runtime/serializers/index.js';
import type { Serializer, SerializerName } from '../../runtime/serializers/index.js';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '15' },
    ms: { type: 'string', default: '40' },
  },
});
const ROUNDS = Number(values.rounds);
const ROUND_MS = Number(values.ms);

interface SerializerModule {
  json: Serializer;
  msgpack: Serializer;
  cbor: Serializer;
}
const baseline: SerializerModule | undefined =
  values.baseline === undefined ? undefined : ((await import(pathToFileURL(join(resolve(values.baseline), 'runtime/serializers/index.ts')).href)) as SerializerModule);

const record = (i: number): Record<string, unknown> => ({ id: i * 1234567, name: `item number ${i}`, price: i * 1.25, tags: ['a', 'b'], ok: i % 2 === 0 });
/** WAMP-shaped messages, from the common to the rare. */
const MESSAGES: Array<[string, unknown[]]> = [
  ['CALL, 2 small args', [48, 7, {}, 'com.example.add2', [23, 7]]],
  ['EVENT, random IDs (16 digits)', [36, 5512315355, 4429313566123456, { publisher: 7, topic: 'com.example.topic' }, ['hello', 42, 1.5], { color: 'orange', size: 10 }]],
  ['RESULT, 20 records (1.4 KB JSON)', [50, 7, {}, [Array.from({ length: 20 }, (_, i) => record(i))]]],
  ['EVENT, 1000 records (70 KB JSON)', [36, 1, 2, {}, [Array.from({ length: 1000 }, (_, i) => record(i))]]],
  ['CALL, 4 KB of binary', [48, 8, {}, 'com.example.store', [new Uint8Array(4096).map((_, i) => i & 0xff)]]],
  ['CALL, a bigint beyond 2^53 (rare)', [48, 9, {}, 'com.example.big', [2n ** 60n, 'x'], { n: 1 }]],
];

/**
 * Runs `fn` repeatedly for about `ms` of this process's CPU time; returns CPU ns per call. CPU
 * time rather than wall time: on a shared machine other processes' load then mostly cancels
 * out (it still costs caches and clock speed, so compare ratios within one run).
 */
function rate(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = process.cpuUsage();
  const budget = ms * 1000;
  let elapsed = 0;
  // Bounded in count as well as time.
  while (elapsed < budget && n < 5_000_000) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    const used = process.cpuUsage(start);
    elapsed = used.user + used.system;
  }
  return (elapsed * 1000) / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

interface Contender {
  readonly name: string;
  readonly decode?: () => unknown;
  readonly encode?: () => unknown;
}

function contenders(format: SerializerName, message: unknown[]): Contender[] | undefined {
  const mine = ours[format];
  let wire: Uint8Array | string;
  try {
    wire = mine.serialize(message);
  } catch {
    return undefined;
  }
  const list: Contender[] = [{ name: 'ours', decode: () => mine.deserialize(wire), encode: () => mine.serialize(message) }];
  if (format === 'json') {
    const text = wire as string;
    // The floor: what any JSON peer pays, with no binary, bigint or depth handling.
    const plain = JSON.parse(text) as unknown;
    list.push({ name: 'JSON.parse/stringify', decode: () => JSON.parse(text), encode: () => JSON.stringify(plain) });
  }
  if (baseline !== undefined) {
    const theirs = baseline[format];
    let ok = true;
    try {
      theirs.deserialize(wire);
      theirs.serialize(message);
    } catch {
      ok = false; // the baseline cannot carry this message
    }
    if (ok) list.push({ name: 'baseline', decode: () => theirs.deserialize(wire), encode: () => theirs.serialize(message) });
  }
  return list;
}

const fmt = (ns: number): string => (ns >= 10_000 ? `${(ns / 1000).toFixed(0)} µs` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

console.log(`serializers: median of ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms each${baseline === undefined ? '' : `; baseline ${values.baseline}`}`);
for (const format of ['json', 'msgpack', 'cbor'] as const) {
  console.log(`\n${format}`);
  console.log(['message', 'op', 'ours', 'JSON.parse/stringify', 'baseline', 'ours / baseline'].join(' | '));
  for (const [label, message] of MESSAGES) {
    const list = contenders(format, message);
    if (list === undefined) {
      console.log(`${label} | - | (${format} cannot carry it)`);
      continue;
    }
    for (const op of ['decode', 'encode'] as const) {
      const samples = new Map<string, number[]>(list.map((c) => [c.name, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const c of list) samples.get(c.name)!.push(rate(c[op]!, ROUND_MS));
      }
      const m = (name: string): number | undefined => (samples.has(name) ? median(samples.get(name)!) : undefined);
      const mine = m('ours') as number;
      const floor = m('JSON.parse/stringify');
      const base = m('baseline');
      console.log([label, op, fmt(mine), floor === undefined ? '' : fmt(floor), base === undefined ? '' : fmt(base), base === undefined ? '' : (mine / base).toFixed(2)].join(' | '));
    }
  }
}
