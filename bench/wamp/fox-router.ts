/**
 * fox-wamp (npm), the maintained Node WAMP router, started in this process on a loopback
 * ephemeral port: shared by the bench's router child (./router-child.ts) and the interop test
 * that runs our client against it (test/interop/fox-wamp.test.ts, through
 * test/interop/peers/fox-wamp-router.ts). fox-wamp speaks WebSocket with wamp.2.json only (its
 * WampServer accepts no other subprotocol) and exposes no types, hence the small interface.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** fox-wamp's untyped entry: a router class whose listenWAMP returns a ws.Server. */
interface FoxRouter {
  listenWAMP(options: { host: string; port: number }): FoxServer;
}
interface FoxServer {
  once(event: 'listening', cb: () => void): void;
  address(): AddressInfo | string | null;
  close(cb?: () => void): void;
}

export interface RunningFox {
  /** ws://127.0.0.1:<port>/ */
  readonly url: string;
  close(): Promise<void>;
}

/** Whether the package is installed (a devDependency; tests skip with a message without it). */
export function foxWampAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('fox-wamp');
    return true;
  } catch {
    return false;
  }
}

export async function startFoxWamp(): Promise<RunningFox> {
  const Fox = createRequire(import.meta.url)('fox-wamp') as new () => FoxRouter;
  const server = new Fox().listenWAMP({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fox-wamp reported no port');
  return {
    url: `ws://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
