/**
 * Which build of our engine the bench measures. By default the runtime is compiled with tsc
 * into a temporary directory first, because that is what users run: under tsx (esbuild with
 * keepNames) every arrow-function class field gets a `name` redefined on it, which puts the
 * function's properties in dictionary mode and costs ~2.6 KiB per idle connection that no
 * production build has. `--source` measures the TypeScript sources through tsx instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ClientModule = typeof import('../../runtime/websocket/client.js');
export type ServerModule = typeof import('../../runtime/websocket/server.js');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles runtime/ with tsc (runtime/tsconfig.build.json) into a fresh temp dir's runtime/;
 * returns the directory holding runtime/.
 */
export function compileRuntime(): string {
  const out = mkdtempSync(join(tmpdir(), 'wampkit-bench-'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere in the tree (work in progress) must not stop the bench: tsc still
  // emits, and what matters is that the engine's files are there.
  spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'runtime', 'tsconfig.build.json'), '--outDir', join(out, 'runtime'), '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: ROOT,
    stdio: 'ignore',
    timeout: 180_000,
  });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  // The accelerator loads the native NVX binary from its package (@wampkit/nvx-<platform>-<arch>
  // in node_modules): link the repository's node_modules, so the compiled engine runs with the
  // same kernel as the sources do.
  if (existsSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  if (!existsSync(join(out, 'runtime', 'websocket', 'server.js'))) throw new Error(`tsc did not emit the runtime into ${out}`);
  return out;
}

/** The engine's modules from a compiled dir, or from the sources when `dir` is null. */
export async function loadEngine(dir: string | null): Promise<{ client: ClientModule; server: ServerModule }> {
  if (dir === null) {
    return { client: await import('../../runtime/websocket/client.js'), server: await import('../../runtime/websocket/server.js') };
  }
  const at = (file: string): string => pathToFileURL(join(dir, 'runtime', 'websocket', file)).href;
  return { client: (await import(at('client.js'))) as ClientModule, server: (await import(at('server.js'))) as ServerModule };
}
