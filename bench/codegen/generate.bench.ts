/**
 * wampgen speed: a synthetic schema set of 1,000 procedures and 1,000 topics over 50 files.
 * Reports cold generation (fresh process: loading wampgen and ts-morph included) and the time to
 * regenerate after one file changes (the watch-mode path: Generator.update).
 * Targets on a 2-core machine: cold < 5 s, one changed file < 500 ms.
 *   node --import tsx bench/codegen/generate.bench.ts
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = 50;
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const PER_FILE = 20;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function schemaFile(i: number, variant = 0): string {
  const prev = i > 0 ? `import type { Item${i - 1} } from './api${i - 1}.js';\n` : '';
  const lines = [
    `import type { Kwargs, Progress } from 'wampkit/codegen/schema';`,
    prev,
    `/** A payload of file ${i}. */`,
    `export interface Item${i} {`,
    `  id: string;`,
    `  count: number;`,
    `  tags: string[];`,
    `  kind: 'a' | 'b' | 'c';`,
    `  meta: Record<string, number>;`,
    `  previous: ${i > 0 ? `Item${i - 1}` : 'null'} | null;`,
    `}`,
    `export interface Page${i}<T> { items: T[]; next: string | null }`,
    `/** @wamp.error com.bench.api${i}.not_found */`,
    `export interface NotFound${i} { id: string }`,
    `/** @wamp.procedures com.bench.api${i} */`,
    `export interface Api${i} {`,
  ];
  for (let p = 0; p < PER_FILE; p++) {
    const kind = p % 4;
    if (kind === 0) lines.push(`  /** Procedure ${p}${variant ? ' (changed)' : ''}. */`, `  get${p}(id: string, limit?: number): Page${i}<Item${i}>;`);
    else if (kind === 1) lines.push(`  /** @throws {NotFound${i}} */`, `  put${p}(item: Item${i}, opts: Kwargs<{ force: boolean }>): boolean;`);
    else if (kind === 2) lines.push(`  /** @wamp.progressive */`, `  stream${p}(from: number): Progress<Item${i}, 'done'>;`);
    else lines.push(`  sum${p}(values: number[], scale: number): number;`);
  }
  lines.push('}', `/** @wamp.topics com.bench.events${i} */`, `export interface Events${i} {`);
  for (let t = 0; t < PER_FILE; t++) lines.push(t % 2 === 0 ? `  changed${t}(item: Item${i}): void;` : `  tick${t}(n: number, at: string | null): void;`);
  lines.push('}', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wampgen-bench-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'wampkit'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'schema'));
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, 'schema', `api${i}.ts`), schemaFile(i));

    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { Generator } = await import('../../codegen/index.js');
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'out'), cwd: dir });
    const cold = gen.run();
    const coldMs = performance.now() - t0;
    const coldCpu = cpuMs(process.cpuUsage(c0));
    if (!cold.ok) throw new Error(`bench schema has diagnostics: ${JSON.stringify(cold.diagnostics.slice(0, 3))}`);

    const runs: number[] = [];
    const cpuRuns: number[] = [];
    let written: string[] = [];
    for (let r = 0; r < 5; r++) {
      const target = join(dir, 'schema', `api${25 + r}.ts`);
      writeFileSync(target, schemaFile(25 + r, 1));
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const res = gen.update([target]);
      runs.push(performance.now() - t1);
      cpuRuns.push(cpuMs(process.cpuUsage(c1)));
      if (!res.ok) throw new Error('update failed');
      written = res.written;
    }
    // api49 has no dependents: the leaf case.
    const leaf = join(dir, 'schema', 'api49.ts');
    writeFileSync(leaf, schemaFile(49, 1));
    const t2 = performance.now();
    gen.update([leaf]);
    const leafMs = performance.now() - t2;

    const median = medianOf(runs);
    const loadNote = `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; CPU time is what load does not inflate`;
    const files = cold.written.length;
    console.log(`wampgen bench: ${FILES} files, ${FILES * PER_FILE} procedures, ${FILES * PER_FILE} topics -> ${files} generated files`);
    console.log(`  cold (load + parse + emit + write): ${coldMs.toFixed(0)} ms wall, ${coldCpu.toFixed(0)} ms CPU   (target < 5000 ms)`);
    console.log(`  one file changed, with its dependents (median of 5): ${median.toFixed(0)} ms wall, ${medianOf(cpuRuns).toFixed(0)} ms CPU   (target < 500 ms; last wrote ${written.length} files)`);
    console.log(`  (${loadNote})`);
    console.log(`  one leaf file changed: ${leafMs.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
