// Interop with the `ws` package (npm), both directions, with and without permessage-deflate:
// a ws client against our server, and our client against a ws server, each echoing text and
// binary messages of 0 B to 1 MiB, plus one 16 MiB message each way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer as WsServer } from 'ws';
import { connect } from '../../runtime/websocket/client.js';
import { BIG, EMPTY_PLAN, MiB, SIZES, checkEchoes, payloadOf, planOf, startOurEchoServer } from './peers/echo-check.js';

/** Drives a ws client through the plan against `url`, checking every echo. */
async function wsClientChecks(url: string, deflate: boolean, plan: [number, boolean][]): Promise<string> {
  const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false, maxPayload: 32 * MiB });
  ws.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    for (const [size, binary] of plan) {
      const payload = payloadOf(size, binary);
      const echo = new Promise<[Buffer, boolean]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo of the ${size} B ${binary ? 'binary' : 'text'} message within 10 s`)), 10_000);
        ws.once('message', (data, isBinary) => {
          clearTimeout(timer);
          resolve([data as Buffer, isBinary]);
        });
      });
      ws.send(payload, { binary });
      const [data, isBinary] = await echo;
      assert.equal(isBinary, binary, `echo of ${size} B has the wrong type`);
      assert.ok(data.equals(payload), `echo of ${size} B ${binary ? 'binary' : 'text'} differs (${data.length} B)`);
    }
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.close(1000);
    assert.equal(await closed, 1000);
    return ws.extensions;
  } finally {
    ws.terminate();
  }
}

for (const deflate of [false, true]) {
  const label = deflate ? 'with permessage-deflate' : 'without compression';

  describe(`ws client → wampkit server, ${label}`, () => {
    let ours: Awaited<ReturnType<typeof startOurEchoServer>> | null = null;
    before(async () => {
      ours = await startOurEchoServer(deflate);
    });
    after(async () => {
      await ours?.stop();
    });
    test('text and binary of 16 B, 1 KiB, 64 KiB, 1 MiB are echoed', async () => {
      assert.ok(ours !== null);
      const extensions = await wsClientChecks(`ws://127.0.0.1:${ours.port}/`, deflate, planOf(SIZES));
      assert.equal(extensions.includes('permessage-deflate'), deflate, `negotiated "${extensions}"`);
    });
    test('empty text and binary messages (0 B) are echoed and the stream stays intact', async () => {
      assert.ok(ours !== null);
      await wsClientChecks(`ws://127.0.0.1:${ours.port}/`, deflate, EMPTY_PLAN);
    });
    if (!deflate) {
      test('one 16 MiB binary message each way', async () => {
        assert.ok(ours !== null);
        await wsClientChecks(`ws://127.0.0.1:${ours.port}/`, deflate, [[BIG, true]]);
      });
    }
  });

  describe(`wampkit client → ws server, ${label}`, () => {
    let server: WsServer | null = null;
    let port = 0;
    before(async () => {
      const s = new WsServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate ? { threshold: 0 } : false, maxPayload: 32 * MiB });
      server = s;
      s.on('connection', (ws) => {
        ws.on('error', () => {});
        ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      });
      await new Promise<void>((resolve) => s.once('listening', () => resolve()));
      const address = s.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
    });
    after(async () => {
      const s = server;
      if (s === null) return;
      for (const c of s.clients) c.terminate();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    });
    const run = async (plan: [number, boolean][]): Promise<void> => {
      const conn = await connect(`ws://127.0.0.1:${port}/`, { perMessageDeflate: deflate, maxMessagePayloadSize: 32 * MiB, handshakeTimeout: 5_000 });
      conn.on('error', () => {});
      try {
        assert.equal(conn.extensions.includes('permessage-deflate'), deflate, `negotiated "${conn.extensions}"`);
        await checkEchoes(conn, plan);
        const info = await conn.close(1000);
        assert.equal(info.code, 1000);
        assert.equal(info.wasClean, true);
      } finally {
        conn.terminate();
      }
    };
    test('text and binary of 16 B, 1 KiB, 64 KiB, 1 MiB are echoed', async () => {
      await run(planOf(SIZES));
    });
    test('empty text and binary messages (0 B) are echoed and the stream stays intact', async () => {
      await run(EMPTY_PLAN);
    });
    if (!deflate) {
      test('one 16 MiB binary message each way', async () => {
        await run([[BIG, true]]);
      });
    }
  });
}
