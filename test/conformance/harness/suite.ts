/**
 * Runs a table of conformance cases in both directions: a raw client against the engine's echo
 * server, and the engine's echo client against a raw server. Each case gets a fresh connection
 * and is named "<Autobahn case> <behaviour> [server|client]" so a failure reads well.
 */
import { after, before, describe, test } from 'node:test';
import { RawServer, rawConnect, type ExtensionResponder } from './raw-handshake.js';
import type { RawPeer } from './raw-peer.js';
import type { EchoClientHandle, EchoClientOptions, EchoServerHandle, EchoServerOptions, EngineTarget } from './target-types.js';
import { loadTarget } from './targets/index.js';
import assert from 'node:assert/strict';

export type Direction = 'server' | 'client';

export interface CaseContext {
  direction: Direction;
  /** The engine's echo client, in the client direction. */
  client: EchoClientHandle | null;
  /** The engine's echo server, in the server direction. */
  server: EchoServerHandle | null;
}

export interface ConformanceCase {
  /** Autobahn case id or group, e.g. "5.3". */
  id: string;
  /** What the engine must do, e.g. "fragmented text in 2 frames is echoed". */
  name: string;
  run(peer: RawPeer, ctx: CaseContext): Promise<void>;
  /** Run in only one direction. */
  only?: Direction;
  /** Raw client's Sec-WebSocket-Extensions offer (server direction). */
  offer?: string;
  /** Raw server's answer to the engine client's offer (client direction). */
  respond?: ExtensionResponder;
  /** Engine client options for this case (client direction). */
  clientOptions?: EchoClientOptions;
}

export interface SuiteOptions {
  /** Engine server options for the whole group (server direction). */
  server?: EchoServerOptions;
  /** Engine client options for the whole group (client direction; a case may override). */
  client?: EchoClientOptions;
  directions?: Direction[];
}

/** RFC 6455 section 5.1: a client masks every frame, a server none. */
function assertMasking(peer: RawPeer): void {
  const bad = peer.maskViolations[0];
  if (bad !== undefined) {
    assert.fail(`${peer.maskViolations.length} frame(s) with the wrong mask bit from the engine's ${peer.role === 'client' ? 'server' : 'client'} (first: opcode ${bad.opcode}, masked=${String(bad.masked)})`);
  }
}

export function conformanceSuite(title: string, cases: ConformanceCase[], options: SuiteOptions = {}): void {
  const target: EngineTarget = loadTarget();
  const directions = options.directions ?? ['server', 'client'];

  if (directions.includes('server')) {
    describe(`${title} — ${target.name} server`, () => {
      let server: EchoServerHandle | null = null;
      before(async () => {
        server = await target.startEchoServer(options.server ?? {});
      });
      after(async () => {
        await server?.close();
      });
      for (const c of cases) {
        if (c.only === 'client') continue;
        test(`${c.id} ${c.name} [server]`, async () => {
          assert.ok(server !== null);
          const peer = await rawConnect(server.port, c.offer === undefined ? {} : { extensions: c.offer });
          try {
            await c.run(peer, { direction: 'server', client: null, server });
            assertMasking(peer);
          } finally {
            peer.destroy();
          }
        });
      }
    });
  }

  if (directions.includes('client')) {
    describe(`${title} — ${target.name} client`, () => {
      let raw: RawServer | null = null;
      before(async () => {
        raw = await RawServer.listen();
      });
      after(async () => {
        await raw?.close();
      });
      for (const c of cases) {
        if (c.only === 'server') continue;
        test(`${c.id} ${c.name} [client]`, async () => {
          assert.ok(raw !== null);
          raw.respondExtensions = c.respond ?? (() => null);
          const clientPromise = target.connectEchoClient(raw.url, c.clientOptions ?? options.client ?? {});
          let client: EchoClientHandle | null = null;
          let peer: RawPeer | null = null;
          try {
            peer = await raw.accept();
            client = await clientPromise;
            await c.run(peer, { direction: 'client', client, server: null });
            assertMasking(peer);
          } finally {
            peer?.destroy();
            client?.destroy();
            await clientPromise.then((h) => h.destroy(), () => {});
          }
        });
      }
    });
  }
}
