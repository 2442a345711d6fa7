/**
 * wampgen as a Vite plugin (`wampgen/vite`): generates at build start — a schema error
 * fails the build with wampgen's diagnostics — and in the dev server watches the schema files
 * and regenerates only what changed, keeping the last good output while a schema is broken
 * (Vite then reloads the stubs that were rewritten).
 *
 *   import { wampgen } from 'wampgen/vite';
 *   export default { plugins: [wampgen({ inputs: ['schemas'], outDir: 'src/generated' })] };
 *
 * Typed structurally, so this module needs no `vite` import (vite stays the app's dependency).
 */
import { resolve } from 'node:path';
import type { GenerateOptions } from './config.js';
import { formatDiagnostic } from './diagnostics.js';
import { Generator, type GenerateResult } from './generate.js';

/** What the plugin needs of Vite's dev server. */
interface DevServer {
  readonly watcher: { add(paths: string | readonly string[]): unknown; on(event: 'add' | 'change' | 'unlink', listener: (path: string) => void): unknown };
  readonly config: { readonly logger: { info(msg: string): void; error(msg: string): void } };
}

interface PluginContext {
  error(message: string): never;
}

export interface WampgenVitePlugin {
  readonly name: 'wampgen';
  buildStart(this: PluginContext): void;
  configureServer(server: DevServer): void;
}

const SCHEMA = /\.(c|m)?ts$/;
const DEBOUNCE_MS = 50;

function describe(result: GenerateResult): string {
  return result.diagnostics.map(formatDiagnostic).join('\n');
}

/** `options` as for `generate()`; relative paths are relative to `options.cwd` (default: process.cwd()). */
export function wampgen(options: GenerateOptions): WampgenVitePlugin {
  const generator = new Generator(options);
  const { cwd } = generator.options;
  const inputs = generator.options.inputs.map((i) => resolve(cwd, i));
  const isSchema = (path: string): boolean => SCHEMA.test(path) && inputs.some((i) => path === i || path.startsWith(`${i}/`));
  return {
    name: 'wampgen',
    buildStart() {
      const result = generator.run();
      if (!result.ok) this.error(`wampgen: schema errors, nothing generated\n${describe(result)}`);
    },
    configureServer(server) {
      const log = server.config.logger;
      server.watcher.add(inputs);
      // Editors (and writeFile) write in bursts: changes are gathered for a moment, then one update.
      const pending = new Set<string>();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = (): void => {
        timer = undefined;
        const changed = [...pending];
        pending.clear();
        const result = generator.update(changed);
        if (!result.ok) log.error(`wampgen: schema errors, the last good output stays\n${describe(result)}`);
        else if (result.written.length > 0) log.info(`wampgen: ${result.written.join(', ')} regenerated`);
      };
      const onChange = (path: string): void => {
        const full = resolve(cwd, path);
        if (!isSchema(full)) return;
        pending.add(full);
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(flush, DEBOUNCE_MS);
      };
      for (const event of ['add', 'change', 'unlink'] as const) server.watcher.on(event, onChange);
    },
  };
}
