/** Echo throughput (a window of messages in flight) and round-trip latency, per client implementation. */
import { WebSocket } from 'ws';
import type { ClientModule } from './engine.js';

export type Impl = 'ours' | 'ws';

/** The echoed payload: varied bytes for binary, lower-case ASCII letters for text. */
export function payloadOf(bytes: number, binary: boolean): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) out[i] = binary ? (i * 131) & 0xff : 0x61 + (i % 26);
  return out;
}

/** The smallest client surface the bench needs, over both implementations. */
interface BenchClient {
  send(data: Buffer, binary: boolean): void;
  /** Replaces the message listener. */
  onMessage(listener: (length: number) => void): void;
  close(): void;
}

export async function openClient(impl: Impl, port: number, engine: ClientModule): Promise<BenchClient> {
  const { connect } = engine;
  const url = `ws://127.0.0.1:${port}/`;
  // One listener for the client's life; measurements swap what it calls.
  let current: (length: number) => void = () => {};
  if (impl === 'ours') {
    const conn = await connect(url, { maxMessagePayloadSize: 64 * 1024 * 1024 });
    conn.on('error', () => {});
    conn.on('message', (data) => current(data.length));
    return {
      send: (data, binary) => void conn.sendMessage(data, binary),
      onMessage: (listener) => {
        current = listener;
      },
      close: () => conn.terminate(),
    };
  }
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data: Buffer) => current(data.length));
  return {
    send: (data, binary) => ws.send(data, { binary }),
    onMessage: (listener) => {
      current = listener;
    },
    close: () => ws.terminate(),
  };
}

export interface ThroughputResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Payload megabytes (10^6) echoed per second, one direction. */
  megabytesPerSecond: number;
}

/** Keeps `window` messages in flight until `maxMessages` or `maxMs`, whichever comes first. */
export async function measureThroughput(client: BenchClient, payload: Buffer, binary: boolean, window: number, maxMessages: number, maxMs: number): Promise<ThroughputResult> {
  let sent = 0;
  let received = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + maxMs;
  let stopSending = false;
  const done = new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`echo stalled: ${received}/${sent} after ${maxMs + 10_000} ms`)), maxMs + 10_000);
    client.onMessage((length) => {
      received++;
      bytes += length;
      if (!stopSending && (sent >= maxMessages || Date.now() >= deadline)) stopSending = true;
      if (!stopSending) {
        sent++;
        client.send(payload, binary);
      } else if (received === sent) {
        clearTimeout(guard);
        resolve();
      }
    });
  });
  for (; sent < Math.min(window, maxMessages); ) {
    sent++;
    client.send(payload, binary);
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { messages: received, seconds, messagesPerSecond: received / seconds, megabytesPerSecond: bytes / 1e6 / seconds };
}

export interface LatencyResult {
  samples: number;
  p50Micros: number;
  p99Micros: number;
}

/** One message in flight: round-trip times of `maxSamples` echoes or for `maxMs`. */
export async function measureLatency(client: BenchClient, payload: Buffer, maxSamples: number, maxMs: number): Promise<LatencyResult> {
  const samples: number[] = [];
  const deadline = Date.now() + maxMs;
  let sentAt = 0n;
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error('latency echo stalled')), maxMs + 10_000);
    client.onMessage(() => {
      samples.push(Number(process.hrtime.bigint() - sentAt) / 1000);
      if (samples.length >= maxSamples || Date.now() >= deadline) {
        clearTimeout(guard);
        resolve();
        return;
      }
      sentAt = process.hrtime.bigint();
      client.send(payload, false);
    });
    sentAt = process.hrtime.bigint();
    client.send(payload, false);
  });
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { samples: samples.length, p50Micros: at(0.5), p99Micros: at(0.99) };
}
