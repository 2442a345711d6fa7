/**
 * Checks that a module can run in a browser: walks its static import graph (relative imports
 * followed) and lists every file that imports a Node built-in or touches Buffer/process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Every module reachable by static imports from `file`, with the specifiers it imports. */
export function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
  seen.set(file, specifiers);
  for (const s of specifiers) {
    if (!s.startsWith('.')) continue;
    const target = resolve(dirname(file), s.replace(/\.js$/, '.ts'));
    if (existsSync(target)) importGraph(target, seen);
  }
  return seen;
}

/**
 * What in `entry`'s import graph would not run in a browser. A file may still mention Buffer
 * when it reaches it through `globalThis` (feature detection), which the pattern allows.
 */
export function browserOffenders(entry: string): { files: number; offenders: string[] } {
  const graph = importGraph(entry);
  const offenders: string[] = [];
  for (const [file, specifiers] of graph) {
    for (const s of specifiers) if (NODE_BUILTINS.has(s)) offenders.push(`${file} imports ${s}`);
    const text = readFileSync(file, 'utf8');
    if (/\bBuffer\.(from|alloc|concat|isBuffer)/.test(text) && !/globalThis as \{ Buffer/.test(text)) offenders.push(`${file} uses Buffer`);
    if (/\bprocess\.(env|versions|nextTick)/.test(text)) offenders.push(`${file} uses process`);
  }
  return { files: graph.size, offenders };
}
