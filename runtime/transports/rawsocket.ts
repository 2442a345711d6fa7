/**
 * WAMP over RawSocket (TCP or Unix sockets), client and router side, on the pure protocol
 * pieces of rawsocket-protocol.ts: the 4-octet handshake (serializer and maximum message
 * length negotiation, error replies), length-prefixed frames, and PING/PONG (we answer every
 * PING, except that while our writes are backed up only the latest one waits for its PONG;
 * `autoPingInterval` sends our own and drops a peer that does not answer in time).
 *
 * URLs: rs://host:port and tcp://host:port (TCP), unix:/path or unix:///path (Unix socket).
 */
import * as net from 'node:net';
import { randomFillSync } from 'node:crypto';
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { serializerById } from '../serializers/index.js';
import type { Serializer } from '../serializers/types.js';
import { ErrorUri } from '../wamp/uris.js';
import { BaseTransport } from './transport.js';
import { serializerOf, type SerializerSpec } from './serializer-choice.js';
import { logger } from '../log.js';
import { TickBatch } from '../tick-batch.js';

const log = logger('rawsocket');
import {
  FRAME_HEADER_LENGTH, RAWSOCKET_MAGIC, RawSocketError, RawSocketFrameType, RawSocketParser, decodeHandshakeReply, decodeHandshakeRequest,
  encodeFrameHeader, encodeHandshake, encodeHandshakeError, lengthExponentFor, maxLengthOf, type RawSocketHandler,
  type RawSocketProtocolError,
} from './rawsocket-protocol.js';

export { RAWSOCKET_MAGIC };

export interface RawSocketOptions {
  /** Largest message we accept, in bytes (announced in the handshake; 512 .. 16 MiB). Default 16 MiB. */
  maxMessageSize?: number;
  /** Ms for the handshake to complete. Default 10 000. */
  handshakeTimeout?: number;
  /** Send a PING after this many ms in which nothing arrived from the peer (0: off, the default). */
  autoPingInterval?: number;
  /** Drop the connection when the PONG takes longer than this, in ms. Default 5 000. */
  autoPingTimeout?: number;
}

const DEFAULT_MAX = 16 * 1024 * 1024;
const Role = { CLIENT: 'client', ROUTER: 'router' } as const;
type Role = (typeof Role)[keyof typeof Role];

function peerOf(socket: net.Socket): string {
  if (socket.remoteAddress !== undefined) return `tcp:${socket.remoteAddress}:${socket.remotePort ?? 0}`;
  return 'unix';
}

function checkOptions(options: RawSocketOptions): Required<RawSocketOptions> {
  const maxMessageSize = options.maxMessageSize === undefined || options.maxMessageSize === 0 ? DEFAULT_MAX : options.maxMessageSize;
  lengthExponentFor(maxMessageSize); // validates (>= 512, integer)
  const nonNegative = (name: keyof RawSocketOptions, fallback: number): number => {
    const v = options[name] ?? fallback;
    if (!Number.isInteger(v) || v < 0) throw createError(TransportErrorCode.INVALID_ARGUMENT, `${name} must be a non-negative integer, got ${String(v)}`);
    return v;
  };
  return {
    maxMessageSize,
    handshakeTimeout: nonNegative('handshakeTimeout', 10_000),
    autoPingInterval: nonNegative('autoPingInterval', 0),
    autoPingTimeout: nonNegative('autoPingTimeout', 5_000),
  };
}

export class RawSocketTransport extends BaseTransport implements RawSocketHandler {
  readonly peer: string;
  readonly socket: net.Socket;
  /** Settles when the handshake is done (resolves) or failed (rejects). */
  readonly ready: Promise<void>;
  readonly #role: Role;
  readonly #options: Required<RawSocketOptions>;
  readonly #offered: readonly Serializer[];
  readonly #parser: RawSocketParser;
  #serializer: Serializer | null = null;
  /** What the peer accepts (from its handshake). */
  #peerMax = 0;
  #handshaken = false;
  #settle: { resolve(): void; reject(e: Error): void };
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #pongDeadline: ReturnType<typeof setTimeout> | null = null;
  /** Something arrived since the keepalive timer last looked. */
  #traffic = false;
  /** The payload of the latest PING, while our writes are backed up (see onPing). */
  #heldPong: Uint8Array | null = null;
  #sendHeldPong: (() => void) | null = null;
  /** This tick's frames, written in one writev. */
  readonly #batch: TickBatch;

  private constructor(socket: net.Socket, role: Role, offered: readonly Serializer[], options: Required<RawSocketOptions>) {
    super();
    this.socket = socket;
    this.#batch = new TickBatch(socket);
    this.peer = peerOf(socket);
    this.#role = role;
    this.#offered = offered;
    this.#options = options;
    let settle!: { resolve(): void; reject(e: Error): void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => {});
    this.#settle = settle;
    this.#parser = new RawSocketParser(this, { expectHandshake: true, maxPayload: maxLengthOf(lengthExponentFor(options.maxMessageSize)) });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#traffic = true;
      this.#parser.push(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.#gone());
    if (options.handshakeTimeout > 0) {
      this.#timer = setTimeout(() => this.#abortHandshake(createError(TransportErrorCode.RAWSOCKET_TIMEOUT, `RawSocket handshake did not complete within ${options.handshakeTimeout} ms`)), options.handshakeTimeout);
    }
  }

  /** Router side: serve a connected socket; `offered` are the serializers we speak. */
  static accept(socket: net.Socket, offered: readonly Serializer[], options: RawSocketOptions = {}): RawSocketTransport {
    return new RawSocketTransport(socket, Role.ROUTER, offered, checkOptions(options));
  }

  /** Client side: sends our handshake on a connected socket. */
  static open(socket: net.Socket, serializer: Serializer, options: RawSocketOptions = {}): RawSocketTransport {
    const checked = checkOptions(options);
    const t = new RawSocketTransport(socket, Role.CLIENT, [serializer], checked);
    socket.write(encodeHandshake({ serializer: serializer.id, lengthExponent: lengthExponentFor(checked.maxMessageSize) }));
    return t;
  }

  get serializerName(): string {
    return this.#serializer?.name ?? 'none';
  }

  get serializer(): Serializer | undefined {
    return this.#serializer ?? undefined;
  }

  /** The largest message the peer accepts. */
  get peerMaxMessageSize(): number {
    return this.#peerMax;
  }

  /**
   * Bytes written to the socket and not yet handed to the kernel: what the kernel would not take
   * (the peer is not reading), plus at most the socket's high-water mark corked this tick.
   */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(message: unknown[]): void {
    const serializer = this.#serializer;
    if (!this.isOpen || serializer === null) return;
    const data = serializer.serialize(message);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length > this.#peerMax) {
      throw createError(TransportErrorCode.MESSAGE_TOO_BIG, `message of ${bytes.length} bytes exceeds the ${this.#peerMax} the peer accepts`, {
        wampUri: ErrorUri.PAYLOAD_SIZE_EXCEEDED,
      });
    }
    this.#write(RawSocketFrameType.REGULAR, bytes);
  }

  sendShared(message: unknown[], cache: Map<object, Uint8Array | string>): void {
    const serializer = this.#serializer;
    if (!this.isOpen || serializer === null) return;
    const key = rawSocketKey(serializer);
    let bytes = cache.get(key) as Uint8Array | undefined;
    if (bytes === undefined) {
      const data = serializer.serialize(message);
      cache.set(key, (bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    }
    if (bytes.length > this.#peerMax) return; // this peer cannot take it; the others still get it
    this.#write(RawSocketFrameType.REGULAR, bytes);
  }

  close(): void {
    if (!this.isOpen) return;
    this.socket.end();
    // A peer that never closes its side must not keep the socket: destroy after a grace period.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.#gone();
  }

  // ---- RawSocketHandler ----

  onHandshake(bytes: Uint8Array): void {
    try {
      if (this.#role === Role.ROUTER) this.#routerHandshake(bytes);
      else this.#clientHandshake(bytes);
    } catch (error) {
      this.#abortHandshake(error as Error);
    }
  }

  onMessage(payload: Uint8Array): void {
    const serializer = this.#serializer;
    if (serializer === null) return;
    let value: unknown;
    try {
      value = serializer.deserialize(serializer.isBinary ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
    } catch (error) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, error instanceof Error ? error.message : String(error), { wampUri: ErrorUri.PROTOCOL_VIOLATION }, error));
      return;
    }
    this.deliver(value);
  }

  /**
   * A PING gets a PONG echoing it. While our writes are backed up (the socket asked us to wait
   * for 'drain': the peer is not reading), one PONG waits and a later PING's replaces it, as a
   * WebSocket endpoint may answer only the latest ping: a peer that sends PINGs and never reads
   * cannot make us queue a PONG per PING.
   */
  onPing(payload: Uint8Array): void {
    if (!this.isOpen) return;
    if (!this.socket.writableNeedDrain) {
      this.#write(RawSocketFrameType.PONG, payload);
      return;
    }
    // The payload is a view the parser never reuses: holding it costs no copy.
    const waiting = this.#heldPong !== null;
    this.#heldPong = payload;
    if (waiting) return;
    this.#sendHeldPong ??= () => {
      const held = this.#heldPong;
      this.#heldPong = null;
      if (held !== null && this.isOpen) this.#write(RawSocketFrameType.PONG, held);
    };
    this.socket.once('drain', this.#sendHeldPong);
  }

  onPong(): void {
    if (this.#pongDeadline !== null) clearTimeout(this.#pongDeadline);
    this.#pongDeadline = null;
  }

  onError(error: RawSocketProtocolError): void {
    if (!this.#handshaken) {
      this.#abortHandshake(error);
      return;
    }
    // Framing is lost: nothing more can be read or sent reliably.
    this.fail(error);
    this.socket.destroy();
    this.#gone();
  }

  // ---- internals ----

  #routerHandshake(bytes: Uint8Array): void {
    let request;
    try {
      request = decodeHandshakeRequest(bytes);
    } catch (error) {
      const reply = (error as RawSocketProtocolError).reply;
      if (reply !== undefined) this.socket.end(encodeHandshakeError(reply));
      throw error;
    }
    const serializer = this.#offered.find((s) => s.id === request.serializer) ?? null;
    if (serializer === null || serializerById(request.serializer) === undefined) {
      this.socket.end(encodeHandshakeError(RawSocketError.SERIALIZER_UNSUPPORTED));
      throw createError(TransportErrorCode.RAWSOCKET, `RawSocket client asked for serializer ${request.serializer}, which is not offered`);
    }
    this.socket.write(encodeHandshake({ serializer: serializer.id, lengthExponent: lengthExponentFor(this.#options.maxMessageSize) }));
    this.#established(serializer, maxLengthOf(request.lengthExponent));
  }

  #clientHandshake(bytes: Uint8Array): void {
    const wanted = this.#offered[0] as Serializer;
    const reply = decodeHandshakeReply(bytes, wanted.id);
    this.#established(wanted, maxLengthOf(reply.lengthExponent));
  }

  #established(serializer: Serializer, peerMax: number): void {
    this.#serializer = serializer;
    this.#peerMax = peerMax;
    this.#handshaken = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#options.autoPingInterval > 0) {
      this.#pingTimer = setInterval(() => this.#ping(), this.#options.autoPingInterval);
      this.#pingTimer.unref();
    }
    this.#settle.resolve();
  }

  #ping(): void {
    if (!this.isOpen || this.#pongDeadline !== null) return;
    // A peer we hear from is alive: ping only one that has been silent for a whole interval.
    if (this.#traffic) {
      this.#traffic = false;
      return;
    }
    const payload = randomFillSync(Buffer.allocUnsafe(8));
    this.#write(RawSocketFrameType.PING, payload);
    this.#pongDeadline = setTimeout(() => {
      this.fail(createError(TransportErrorCode.PING_TIMEOUT, `no RawSocket PONG within ${this.#options.autoPingTimeout} ms`));
      this.socket.destroy();
      this.#gone();
    }, this.#options.autoPingTimeout);
    this.#pongDeadline.unref();
  }

  #write(type: RawSocketFrameType, payload: Uint8Array): void {
    // Everything sent in one tick leaves in one write (bounded, ../tick-batch.ts): under load
    // (many calls in flight) this saves a system call per message.
    const size = FRAME_HEADER_LENGTH + payload.length;
    this.#batch.before(size);
    this.socket.write(encodeFrameHeader(type, payload.length));
    this.socket.write(payload);
    this.#batch.after(size);
  }

  #abortHandshake(error: Error): void {
    if (this.#handshaken) return;
    this.#clearTimers();
    this.socket.destroy();
    this.#settle.reject(error);
    this.closed({ wasClean: false, reason: error.message });
  }

  #clearTimers(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    if (this.#pongDeadline !== null) clearTimeout(this.#pongDeadline);
    this.#timer = this.#pingTimer = this.#pongDeadline = null;
  }

  #gone(): void {
    this.#clearTimers();
    if (!this.#handshaken) {
      this.#settle.reject(createError(TransportErrorCode.RAWSOCKET, 'the connection closed during the RawSocket handshake'));
    }
    this.closed({ wasClean: this.#handshaken, reason: '' });
  }
}

export interface RawSocketAcceptOptions extends RawSocketOptions {
  serializers: readonly Serializer[];
}

/**
 * The shared-encoding cache key of a serializer on RawSocket: its own object, since RawSocket
 * stores bytes where a WebSocket stores JSON text (one cache serves both for one event).
 */
const RAW_KEYS = new WeakMap<Serializer, object>();
function rawSocketKey(serializer: Serializer): object {
  let key = RAW_KEYS.get(serializer);
  if (key === undefined) RAW_KEYS.set(serializer, (key = {}));
  return key;
}

/** Router side: runs the handshake on an accepted socket, then hands the transport over. */
export function acceptRawSocket(socket: net.Socket, options: RawSocketAcceptOptions, accept: (transport: RawSocketTransport) => void): void {
  const { serializers, ...rest } = options;
  const transport = RawSocketTransport.accept(socket, serializers, rest);
  transport.ready.then(() => {
    log.debug(() => `accepted RawSocket from ${transport.peer}: serializer ${transport.serializerName}, peer accepts ${transport.peerMaxMessageSize} bytes`);
    accept(transport);
  }, (error: Error) => log.info(() => `refused RawSocket from ${transport.peer}: ${error.message}`));
}

export interface RawSocketClientOptions extends RawSocketOptions {
  /** The one serializer to ask for (RawSocket negotiates exactly one): a name or an instance. Default 'cbor'. */
  serializer?: SerializerSpec;
  /** Nesting limit (16..1024, default 512) of a serializer given by name. */
  maxDepth?: number;
}

/** Parses rs://host:port, tcp://host:port, unix:/path, unix:///path. */
export function parseRawSocketUrl(url: string): { host: string; port: number } | { path: string } {
  const unix = /^unix:(?:\/\/)?(\/.+)$/.exec(url);
  if (unix !== null) return { path: unix[1] as string };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket URL must be rs://host:port, tcp://host:port or unix:/path, got ${JSON.stringify(url)}`);
  }
  if ((u.protocol !== 'rs:' && u.protocol !== 'tcp:') || u.port === '' || u.hostname === '') {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket URL must be rs://host:port, tcp://host:port or unix:/path, got ${JSON.stringify(url)}`);
  }
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}

/** Connects to a WAMP router over RawSocket; resolves once the handshake succeeded. */
export async function connectRawSocketTransport(url: string, options: RawSocketClientOptions = {}): Promise<RawSocketTransport> {
  const { serializer: spec = 'cbor', maxDepth, ...rest } = options;
  const serializer = serializerOf(spec, maxDepth === undefined ? undefined : { maxDepth });
  const target = parseRawSocketUrl(url);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  const transport = RawSocketTransport.open(socket, serializer, rest);
  await transport.ready;
  return transport;
}
