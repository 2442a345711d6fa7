/**
 * Watch mode: regenerates when schema files change, re-parsing only the changed files and the
 * modules that depend on them. Each directory holding schemas gets its own (non-recursive)
 * watcher, set up synchronously, so no change right after start is missed; directories that
 * appear later are picked up after the next regeneration. Events are debounced, since editors
 * write a file in bursts.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Generator, GenerateResult } from './generate.js';

export interface Watcher {
  close(): void;
}

const SCHEMA = /\.(c|m)?ts$/;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function watchSchemas(generator: Generator, onResult: (result: GenerateResult, changed: readonly string[]) => void, debounceMs = 50): Watcher {
  const { inputs, cwd } = generator.options;
  const pending = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  const singleFiles = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const onEvent = (dir: string, name: string | Buffer | null): void => {
    if (name === null || closed) return;
    const path = join(dir, name.toString());
    if (!isWatchedDir(dir) && !singleFiles.has(path)) return;
    if (SCHEMA.test(path)) pending.add(path);
    else if (!isDirectory(path)) return;
    // A new directory may already hold schemas: the update finds them, the refresh watches it.
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };
  const watchDir = (dir: string): void => {
    if (watchers.has(dir)) return;
    try {
      watchers.set(dir, watch(dir, (_event, name) => onEvent(dir, name)));
    } catch {
      // A directory that vanished between listing and watching: nothing to watch.
    }
  };
  const inputDirs: string[] = [];
  for (const input of inputs) {
    const full = resolve(cwd, input);
    try {
      if (statSync(full).isDirectory()) inputDirs.push(full);
      else singleFiles.add(full);
    } catch {
      continue;
    }
  }
  const isWatchedDir = (dir: string): boolean => inputDirs.some((d) => dir === d || dir.startsWith(`${d}/`));
  const refresh = (): void => {
    for (const d of inputDirs) watchDir(d);
    for (const f of [...generator.files, ...singleFiles]) watchDir(dirname(f));
  };
  const flush = (): void => {
    timer = undefined;
    const changed = [...pending];
    pending.clear();
    onResult(generator.update(changed), changed);
    refresh();
  };
  refresh();
  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
    },
  };
}
