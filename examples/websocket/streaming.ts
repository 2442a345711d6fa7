/**
 * Streaming: send a large message piece by piece, receive it as it arrives.
 *
 *   npx tsx examples/websocket/streaming.ts [--mib 16] [--piece-kib 64]
 *
 * One process plays both ends over a real socket. The client produces a binary message piece
 * by piece (a generator piped into `createMessageStream`, one frame per piece) and never holds
 * it whole. The server runs in receive mode 'stream': each message is a Readable whose chunks it
 * hashes as they arrive, and it answers with the size, the number of chunks and the SHA-256.
 * Exits 0 when both hashes match.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { connect, WebSocketServer } from '../../runtime/websocket/index.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '16' }, 'piece-kib': { type: 'string', default: '64' } } });
const total = Number(values.mib) * 1024 * 1024;
const piece = Number(values['piece-kib']) * 1024;
if (!Number.isInteger(total) || total <= 0 || total > 1024 ** 3) {
  console.error(`streaming: --mib must be a whole number of MiB from 1 to 1024, got ${values.mib}`);
  process.exit(2);
}
if (!Number.isInteger(piece) || piece <= 0) {
  console.error(`streaming: --piece-kib must be a positive whole number, got ${values['piece-kib']}`);
  process.exit(2);
}

interface Receipt { bytes: number; chunks: number; sha256: string }

const server = new WebSocketServer({
  receiveMode: 'stream',
  maxMessagePayloadSize: 0, // no limit: the server never buffers a whole message
});
server.on('connection', (conn) => {
  void (async () => {
    for await (const message of conn.incoming()) {
      const hash = createHash('sha256');
      const receipt: Receipt = { bytes: 0, chunks: 0, sha256: '' };
      for await (const chunk of message) {
        hash.update(chunk as Buffer);
        receipt.bytes += (chunk as Buffer).length;
        receipt.chunks++;
      }
      receipt.sha256 = hash.digest('hex');
      conn.sendMessage(JSON.stringify(receipt));
    }
  })().catch((error: unknown) => console.error(`server: ${(error as Error).message}`));
});
const { port } = await server.listen({ host: '127.0.0.1', port: 0 });

const conn = await connect(`ws://127.0.0.1:${port}/`);
const receipt = new Promise<Receipt>((resolve) => conn.once('message', (data) => resolve(JSON.parse(data.toString()) as Receipt)));

// The message is made as it is sent: a deterministic byte pattern, hashed on the way out.
const sent = createHash('sha256');
let pieces = 0;
async function* produce(): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < total; offset += piece) {
    const chunk = Buffer.allocUnsafe(Math.min(piece, total - offset));
    for (let i = 0; i < chunk.length; i++) chunk[i] = ((offset + i) * 2654435761) >>> 24;
    sent.update(chunk);
    pieces++;
    yield chunk;
  }
}
await pipeline(Readable.from(produce()), conn.createMessageStream({ binary: true }));
const expected = sent.digest('hex');
const got = await receipt;
await conn.close(1000);
await server.close();

const mib = (total / 1024 / 1024).toFixed(0);
console.log(`sent ${mib} MiB as ${pieces} frames; the server read it as ${got.chunks} chunks while it arrived (${got.bytes} bytes)`);
if (got.bytes !== total || got.sha256 !== expected) {
  console.log(`FAIL sha256 differs: sent ${expected}, server saw ${got.sha256}`);
  process.exit(1);
}
console.log(`OK sha256 ${expected.slice(0, 16)}… matches on both ends`);
