/**
 * Which build of wampkit the WAMP bench measures: by default the runtime as tsc compiles it
 * (bench/websocket/engine.ts explains why: under tsx, keepNames changes object shapes), or the
 * TypeScript sources with --source. Children get the compiled directory, or '-', in argv.
 */
import { existsSync, lstatSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileRuntime } from '../websocket/engine.js';

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

/**
 * Compiles runtime/ into a temp dir (bench/websocket/engine.ts) and links the package's
 * node_modules beside it: the WAMP layers import @msgpack/msgpack and friends.
 */
export function compileWampRuntime(): string {
  const out = compileRuntime();
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return out;
}

/** Removes a compiled runtime dir, unlinking its links first so nothing they point to is touched. */
export function removeWampRuntime(dir: string): void {
  for (const link of ['node_modules', 'native', 'build']) {
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
