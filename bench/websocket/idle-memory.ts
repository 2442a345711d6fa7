/**
 * Memory per idle connection, server side: the server process (--expose-gc) measures itself
 * after a GC before and after N connections opened by this process with raw handshakes (so
 * the client side costs the server nothing beyond the connections themselves).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const WARM_CONNECTIONS = 50;

export interface IdleMemoryResult {
  connections: number;
  /** Bytes per connection of V8 heap + external memory (ArrayBuffers included in external). */
  heapPlusExternalPerConnection: number;
  /** Bytes per connection of resident set size. */
  rssPerConnection: number;
}

interface Memory {
  heapUsed: number;
  external: number;
  rss: number;
}

/** Opens one upgraded connection with a minimal raw client; resolves once the 101 arrived. */
function rawUpgrade(port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('upgrade timed out'));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        return;
      }
      socket.on('error', () => {});
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

export async function measureIdleMemory(
  port: number,
  ask: () => Promise<{ memory: Memory; baseline: Memory; connections: number }>,
  count: number,
  maxMs: number,
): Promise<IdleMemoryResult> {
  const sockets: net.Socket[] = [];
  const deadline = Date.now() + maxMs;
  // Warm-up connections (not counted): the first ones pay for lazily loaded code and JIT.
  const warm = await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => rawUpgrade(port, 10_000)));
  await new Promise((r) => setTimeout(r, 200));
  const before = await ask();
  try {
    // 50 handshakes at a time: fast, and gentle on the accept queue.
    while (sockets.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${sockets.length} of ${count} connections within ${maxMs} ms`);
      const batch = Math.min(50, count - sockets.length);
      sockets.push(...(await Promise.all(Array.from({ length: batch }, () => rawUpgrade(port, 10_000)))));
    }
    // Let the server settle (handshake buffers released) before measuring.
    await new Promise((r) => setTimeout(r, 500));
    const after = await ask();
    if (after.connections - before.connections < count) throw new Error(`server saw ${after.connections - before.connections} connections`);
    return {
      connections: count,
      heapPlusExternalPerConnection: (after.memory.heapUsed + after.memory.external - (before.memory.heapUsed + before.memory.external)) / count,
      rssPerConnection: (after.memory.rss - before.memory.rss) / count,
    };
  } finally {
    for (const s of sockets) s.destroy();
    for (const s of warm) s.destroy();
  }
}
