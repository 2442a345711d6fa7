/**
 * Checks a WebSocket echo server: sends text and binary messages from 0 B to 1 MiB and
 * compares every echo. Exits 0 only if all of them matched.
 *
 *   npx tsx examples/websocket/echo-client.ts --url ws://127.0.0.1:9000 [--deflate]
 */
import { parseArgs } from 'node:util';
import { connect, type WebSocketConnection } from '../../runtime/websocket/index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:9000' },
    deflate: { type: 'boolean', default: false },
  },
});

const SIZES = [0, 1, 125, 126, 1000, 65_535, 65_536, 1024 * 1024];
const ECHO_TIMEOUT_MS = 10_000;

/** Text of exactly `size` UTF-8 bytes with 1- to 4-byte characters. */
function textOf(size: number): string {
  const pieces = ['a', 'é', '€', '😀'];
  let out = '';
  let bytes = 0;
  for (let i = 0; bytes < size; i++) {
    const piece = pieces[i % pieces.length]!;
    const len = Buffer.byteLength(piece);
    const chosen = bytes + len <= size ? piece : 'a';
    out += chosen;
    bytes += Buffer.byteLength(chosen);
  }
  return out;
}

function binaryOf(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + 7) & 0xff;
  return buf;
}

function nextEcho(conn: WebSocketConnection): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.off('message', onMessage);
      reject(new Error(`no echo within ${ECHO_TIMEOUT_MS} ms`));
    }, ECHO_TIMEOUT_MS);
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      clearTimeout(timer);
      resolve({ data, isBinary });
    };
    conn.once('message', onMessage);
  });
}

async function main(): Promise<number> {
  let conn: WebSocketConnection;
  try {
    conn = await connect(values.url, { perMessageDeflate: values.deflate, maxMessagePayloadSize: 16 * 1024 * 1024 });
  } catch (err) {
    console.log(`FAIL cannot connect to ${values.url}: ${(err as Error).message}`);
    return 1;
  }
  if (values.deflate && !conn.extensions.startsWith('permessage-deflate')) {
    console.log(`FAIL permessage-deflate was requested but the server did not accept it`);
    conn.terminate();
    return 1;
  }
  let checked = 0;
  try {
    for (const size of SIZES) {
      for (const isBinary of [false, true]) {
        const payload = isBinary ? binaryOf(size) : Buffer.from(textOf(size));
        const echo = nextEcho(conn);
        if (isBinary) conn.sendMessage(payload, true);
        else conn.sendMessage(payload.toString(), false);
        const got = await echo;
        const kind = isBinary ? 'binary' : 'text';
        if (got.isBinary !== isBinary || !got.data.equals(payload)) {
          console.log(`FAIL ${kind} message of ${size} bytes: echo differs (got ${got.isBinary ? 'binary' : 'text'}, ${got.data.length} bytes)`);
          conn.terminate();
          return 1;
        }
        checked++;
      }
    }
  } catch (err) {
    console.log(`FAIL after ${checked} echoes: ${(err as Error).message}`);
    conn.terminate();
    return 1;
  }
  const info = await conn.close(1000);
  console.log(`OK ${checked} echoes matched (${SIZES.length} sizes, text and binary${values.deflate ? ', permessage-deflate' : ''}); close ${info.code}`);
  return 0;
}

process.exit(await main());
