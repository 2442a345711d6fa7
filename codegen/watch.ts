/**
 * Watch mode: regenerates when schema files change, re-parsing only the changed files and the
 * modules that depend on them. Events are debounced, since editors write a file in bursts.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import type { Generator, GenerateResult } from './generate.js';

export interface Watcher {
  close(): void;
}

export function watchSchemas(generator: Generator, onResult: (result: GenerateResult, changed: readonly string[]) => void, debounceMs = 50): Watcher {
  const { inputs, cwd } = generator.options;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  const flush = (): void => {
    timer = undefined;
    const changed = [...pending];
    pending.clear();
    onResult(generator.update(changed), changed);
  };
  for (const input of inputs) {
    const full = resolve(cwd, input);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue;
    }
    const base = isDir ? full : dirname(full);
    watchers.push(watch(base, { recursive: isDir }, (_event, name) => {
      if (name === null) return;
      const path = resolve(base, name.toString());
      if (!isDir && path !== full) return;
      if (!/\.(c|m)?ts$/.test(path)) return;
      pending.add(path);
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    }));
  }
  return {
    close(): void {
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
