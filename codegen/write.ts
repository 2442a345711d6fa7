/**
 * The write stage: puts generated files on disk, touching only files whose bytes changed, and
 * in check mode only compares. `clean` removes generated files (recognised by their header, or
 * the catalog name) that the current schema set no longer produces.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { CATALOG_FILE, HEADER_MARK } from './emit/index.js';
import { isScopeMarker, SCOPE_FILE } from './module-scope.js';

export interface WriteReport {
  /** Files written (or, in check mode, that would be). Paths relative to the output directory. */
  readonly written: string[];
  readonly unchanged: string[];
  /** Generated files removed by `clean` (or, in check mode, that would be). */
  readonly removed: string[];
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function listFiles(dir: string, base: string, out: string[], depth = 0): string[] {
  if (depth > 32) return out;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listFiles(full, base, out, depth + 1);
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

function isGenerated(path: string, full: string): boolean {
  if (path === CATALOG_FILE) return true;
  if (path === SCOPE_FILE) return isScopeMarker(full);
  return path.endsWith('.ts') && (readOrUndefined(full) ?? '').startsWith(HEADER_MARK);
}

export interface WriteOptions {
  readonly check: boolean;
  readonly clean: boolean;
  /** What is known to be on disk already (watch mode), so unchanged files are not even read. */
  readonly known?: ReadonlyMap<string, string>;
}

export function writeOutputs(outDir: string, files: ReadonlyMap<string, string>, options: WriteOptions): WriteReport {
  const written: string[] = [];
  const unchanged: string[] = [];
  const removed: string[] = [];
  for (const [path, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const full = join(outDir, path);
    const current = options.known?.get(path) ?? readOrUndefined(full);
    if (current === content) {
      unchanged.push(path);
      continue;
    }
    written.push(path);
    if (!options.check) {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  if (options.clean) {
    for (const path of listFiles(outDir, outDir, [])) {
      if (files.has(path)) continue;
      const full = join(outDir, path);
      if (!isGenerated(path, full)) continue;
      removed.push(path);
      if (!options.check) rmSync(full);
    }
  }
  return { written, unchanged, removed };
}

/** Removes the given generated files (paths relative to outDir) that exist and carry the header. */
export function removeGenerated(outDir: string, paths: readonly string[], check: boolean): string[] {
  const removed: string[] = [];
  for (const path of paths) {
    const full = join(outDir, path);
    if (!isGenerated(path, full)) continue;
    removed.push(path);
    if (!check) rmSync(full);
  }
  return removed;
}
