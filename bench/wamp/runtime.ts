/**
 * Which build of wampkit the WAMP bench measures: by default the runtime as tsc compiles it
 * (bench/websocket/engine.ts explains why: under tsx, keepNames changes object shapes), or the
 * TypeScript sources with --source. Children get the compiled directory, or '-', in argv.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ClientApi = typeof import('../../runtime/index.js');
export type RouterApi = typeof import('../../runtime/router/index.js');
export type WebSocketApi = typeof import('../../runtime/websocket/index.js');
export type SerializersApi = typeof import('../../runtime/serializers/index.js');

const SOURCE: Record<string, () => Promise<unknown>> = {
  'index.js': () => import('../../runtime/index.js'),
  'router/index.js': () => import('../../runtime/router/index.js'),
  'websocket/index.js': () => import('../../runtime/websocket/index.js'),
  'serializers/index.js': () => import('../../runtime/serializers/index.js'),
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the compiled runtime dir links back to in the repository. */
const LINKS = ['node_modules'] as const;

/**
 * Compiles runtime/ with tsc (the library's own build config, runtime/tsconfig.build.json) into
 * `dir`/runtime (default dir: a fresh temp dir), with source maps so profiles can name
 * TypeScript lines, and links the repository's node_modules beside it: the WAMP layers import
 * @msgpack/msgpack and friends, and the NVX addon is the package @wampkit/nvx-<platform>-<arch>.
 */
export function compileWampRuntime(dir?: string): string {
  const out = dir ?? mkdtempSync(join(tmpdir(), 'wampkit-bench-wamp-'));
  mkdirSync(out, { recursive: true });
  // Type errors elsewhere in the tree (work in progress) must not stop the bench: tsc still emits.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'runtime', 'tsconfig.build.json'), '--outDir', join(out, 'runtime'), '--declaration', 'false', '--sourceMap', 'true'], {
    cwd: ROOT,
    stdio: 'ignore',
    timeout: 180_000,
  });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  for (const link of LINKS) if (existsSync(join(ROOT, link)) && !existsSync(join(out, link))) symlinkSync(join(ROOT, link), join(out, link));
  if (!existsSync(join(out, 'runtime', 'router', 'index.js'))) throw new Error(`tsc did not emit the runtime into ${out}`);
  return out;
}

/** Removes a compiled runtime dir, unlinking its links first so nothing they point to is touched. */
export function removeWampRuntime(dir: string): void {
  for (const link of LINKS) {
    const at = join(dir, link);
    try {
      if (lstatSync(at).isSymbolicLink()) unlinkSync(at);
    } catch {
      // Not there.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The engine directory a child was given: null means the sources. */
export const engineDirArg = (arg: string | undefined): string | null => (arg === undefined || arg === '-' ? null : arg);

async function load<T>(dir: string | null, file: keyof typeof SOURCE & string): Promise<T> {
  if (dir === null) return (await SOURCE[file]!()) as T;
  return (await import(pathToFileURL(join(dir, 'runtime', file)).href)) as T;
}

export const loadClient = (dir: string | null): Promise<ClientApi> => load<ClientApi>(dir, 'index.js');
export const loadRouter = (dir: string | null): Promise<RouterApi> => load<RouterApi>(dir, 'router/index.js');
export const loadWebSocket = (dir: string | null): Promise<WebSocketApi> => load<WebSocketApi>(dir, 'websocket/index.js');
export const loadSerializers = (dir: string | null): Promise<SerializersApi> => load<SerializersApi>(dir, 'serializers/index.js');
