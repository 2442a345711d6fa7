/**
 * permessage-deflate for the raw peer (RFC 7692 section 7.2), with node:zlib directly, so the
 * suite can craft compressed frames and check what the engine under test compressed.
 */
import zlib from 'node:zlib';

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Parameters one direction uses: the sender's window and whether it keeps context. */
export interface DirectionParams {
  windowBits: number;
  noContextTakeover: boolean;
}

function flushCollect(stream: zlib.DeflateRaw | zlib.InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    const onError = (err: Error): void => {
      stream.off('data', onData);
      reject(err);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(input);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Compresses outgoing messages the way a conforming sender with these parameters does. */
export class RawDeflater {
  #params: DirectionParams;
  #stream: zlib.DeflateRaw | null = null;

  constructor(params: DirectionParams) {
    this.#params = params;
  }

  async compress(message: Buffer): Promise<Buffer> {
    // zlib refuses a raw deflate window of 8 (it silently means 9 and breaks interop); 9 is safe.
    const windowBits = Math.max(this.#params.windowBits, 9);
    this.#stream ??= zlib.createDeflateRaw({ windowBits, memLevel: 8, level: 6 });
    const out = await flushCollect(this.#stream, message);
    if (this.#params.noContextTakeover) {
      this.#stream.close();
      this.#stream = null;
    }
    return out.length >= 4 && out.subarray(out.length - 4).equals(TRAILER) ? out.subarray(0, out.length - 4) : out;
  }

  close(): void {
    this.#stream?.close();
    this.#stream = null;
  }
}

/**
 * Inflates incoming messages with exactly the window the peer agreed to use, so a peer that
 * writes beyond its negotiated window or keeps context it promised to drop fails to inflate.
 */
export class RawInflater {
  #params: DirectionParams;
  #stream: zlib.InflateRaw | null = null;

  constructor(params: DirectionParams) {
    this.#params = params;
  }

  async inflate(payload: Buffer): Promise<Buffer> {
    // A window of 8 is inflated as 9: zlib senders (Python, Node, ws) deflate "8" with 9.
    this.#stream ??= zlib.createInflateRaw({ windowBits: Math.max(this.#params.windowBits, 9) });
    const out = await flushCollect(this.#stream, Buffer.concat([payload, TRAILER]));
    if (this.#params.noContextTakeover) {
      this.#stream.close();
      this.#stream = null;
    }
    return out;
  }

  close(): void {
    this.#stream?.close();
    this.#stream = null;
  }
}

/** Parses a Sec-WebSocket-Extensions response holding one permessage-deflate entry (or none). */
export function parseDeflateResponse(header: string | undefined): Map<string, string | true> | null {
  if (header === undefined || header.trim() === '') return null;
  const [first, ...params] = header.split(';').map((s) => s.trim());
  if (first !== 'permessage-deflate') return null;
  const out = new Map<string, string | true>();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p, true);
    else out.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
  }
  return out;
}

/** Direction parameters from a negotiated response: what the server and the client send with. */
export function directionsOf(response: Map<string, string | true>): { server: DirectionParams; client: DirectionParams } {
  const bits = (name: string): number => {
    const v = response.get(name);
    return typeof v === 'string' ? Number(v) : 15;
  };
  return {
    server: { windowBits: bits('server_max_window_bits'), noContextTakeover: response.has('server_no_context_takeover') },
    client: { windowBits: bits('client_max_window_bits'), noContextTakeover: response.has('client_no_context_takeover') },
  };
}
