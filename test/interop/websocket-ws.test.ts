// Interop with the `ws` package (npm), both directions, with and without permessage-deflate:
// a ws client (peers/ws-echo-client.mjs, its own process) checks echoes from our server, and
// our client checks echoes from a ws server (peers/ws-echo-server.mjs); text and binary of
// 16 B to 1 MiB, empty messages, and one 16 MiB message each way.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connect } from '../../runtime/websocket/client.js';
import { BIG, EMPTY_PLAN, MiB, SIZES, checkEchoes, planOf, startOurEchoServer, startPeer, type PeerProcess } from './peers/echo-check.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./peers/ws-echo-server.mjs', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./peers/ws-echo-client.mjs', import.meta.url));

/** Runs the ws checking client against `url`; returns its output, asserting success. */
async function runWsClient(url: string, deflate: boolean, sizes: number[], kinds = 'text,binary'): Promise<string> {
  const timeout = sizes.some((s) => s >= BIG) ? 45 : 15;
  const args = [CLIENT_SCRIPT, '--url', url, '--sizes', sizes.join(','), '--kinds', kinds, '--timeout', String(timeout)];
  if (deflate) args.push('--deflate');
  const peer = startPeer(process.execPath, args, (timeout + 10) * 1000);
  try {
    const code = await peer.exited;
    const out = peer.output();
    assert.equal(code, 0, `ws client failed:\n${out}`);
    assert.match(out, /RESULT ok/);
    return out;
  } finally {
    peer.kill();
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
      const out = await runWsClient(`ws://127.0.0.1:${ours.port}/`, deflate, SIZES);
      assert.equal(/extensions .*permessage-deflate/.test(out), deflate, `negotiated: ${out.split('\n')[0] ?? ''}`);
    });
    test('empty text and binary messages (0 B) are echoed and the stream stays intact', async () => {
      assert.ok(ours !== null);
      await runWsClient(`ws://127.0.0.1:${ours.port}/`, deflate, [0, 16, 0]);
    });
    if (!deflate) {
      test('one 16 MiB binary message each way', async () => {
        assert.ok(ours !== null);
        await runWsClient(`ws://127.0.0.1:${ours.port}/`, deflate, [BIG], 'binary');
      });
    }
  });

  describe(`wampkit client → ws server, ${label}`, () => {
    let peer: PeerProcess | null = null;
    let url = '';
    before(async () => {
      const args = [SERVER_SCRIPT, '--lifetime', '120'];
      if (deflate) args.push('--deflate');
      peer = startPeer(process.execPath, args, 130_000);
      const m = await peer.waitForLine(/listening on (ws:\/\/127\.0\.0\.1:\d+)/, 20_000);
      url = `${m[1]}/`;
    });
    after(async () => {
      peer?.kill();
      await peer?.exited;
    });
    const run = async (plan: [number, boolean][]): Promise<void> => {
      const conn = await connect(url, { perMessageDeflate: deflate, maxMessagePayloadSize: 32 * MiB, handshakeTimeout: 5_000 });
      conn.on('error', () => {});
      try {
        assert.equal(conn.extensions.includes('permessage-deflate'), deflate, `negotiated "${conn.extensions}"`);
        await checkEchoes(conn, plan, plan.some(([size]) => size >= BIG) ? 20_000 : 8_000);
        const info = await conn.close(1000);
        assert.equal(info.code, 1000);
        assert.equal(info.wasClean, true, 'unclean close');
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
