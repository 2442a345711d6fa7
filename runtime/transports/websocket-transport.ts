/**
 * WAMP over our WebSocket engine (client and router side). The subprotocol names the
 * serialization: wamp.2.json travels in text messages, wamp.2.msgpack and wamp.2.cbor in
 * binary ones. A message of the wrong kind for the subprotocol, one that does not
 * deserialize, or one over `maxMessageSize` is reported as 'error' (the session answers
 * with ABORT protocol_violation and closes).
 */
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { connect, type ConnectOptions } from '../websocket/client.js';
import type { WebSocketConnection } from '../websocket/connection.js';
import { isSendableCloseCode } from '../websocket/close-frame.js';
import { CloseCode } from '../websocket/constants.js';
import { serializerBySubprotocol } from '../serializers/index.js';
import type { Serializer } from '../serializers/types.js';
import { ErrorUri } from '../wamp/uris.js';
import { BaseTransport } from './transport.js';
import { serializersOf, type SerializerSpec } from './serializer-choice.js';
import { logger } from '../log.js';

export interface WebSocketTransportOptions {
  /** Report received messages larger than this many bytes as errors (0: no limit). */
  maxMessageSize?: number;
}

const log = logger('websocket');
const NORMAL_CLOSE = CloseCode.NORMAL;
/** A close reason must fit a control frame: 125 bytes less the 2-byte code. */
const MAX_CLOSE_REASON = 123;

export class WebSocketTransport extends BaseTransport {
  readonly serializerName: string;
  readonly peer: string;
  readonly connection: WebSocketConnection;
  readonly #serializer: Serializer;
  readonly #maxMessageSize: number;

  constructor(connection: WebSocketConnection, serializer: Serializer, options: WebSocketTransportOptions = {}) {
    super();
    this.connection = connection;
    this.#serializer = serializer;
    this.serializerName = serializer.name;
    this.peer = connection.peer;
    this.#maxMessageSize = options.maxMessageSize ?? 0;
    connection.on('message', (data: Buffer, isBinary: boolean) => this.#receive(data, isBinary));
    connection.on('close', (info) => this.closed({ wasClean: info.wasClean, code: info.code, reason: info.reason }));
    // The engine reports protocol failures itself by closing; errors here are for logs only.
    connection.on('error', () => {});
  }

  get serializer(): Serializer {
    return this.#serializer;
  }

  /**
   * Wraps a server-side connection whose subprotocol names a WAMP serialization: one of
   * `offered` (a listener's instances, with its limits) when given, else the shared instance.
   */
  static accept(connection: WebSocketConnection, options: WebSocketTransportOptions = {}, offered?: readonly Serializer[]): WebSocketTransport | null {
    const subprotocol = connection.subprotocol ?? '';
    const serializer = offered === undefined ? serializerBySubprotocol(subprotocol) : offered.find((s) => s.subprotocol === subprotocol);
    if (serializer === undefined) return null;
    log.debug(() => `accepted WebSocket from ${connection.peer}: subprotocol ${connection.subprotocol ?? '(none)'}, extensions ${connection.extensions === '' ? '(none)' : connection.extensions}`);
    return new WebSocketTransport(connection, serializer, options);
  }

  /** What the connection has not yet handed to the kernel (frames queued behind compression included). */
  get bufferedAmount(): number {
    return this.connection.bufferedAmount;
  }

  send(message: unknown[]): void {
    if (!this.isOpen) return;
    const data = this.#serializer.serialize(message);
    this.connection.sendMessage(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), this.#serializer.isBinary);
  }

  /**
   * One message to many receivers: serialized once per serializer instance and kept as the bytes
   * the engine sends, so a JSON event to 1,000 subscribers is encoded to UTF-8 once, not 1,000 times.
   */
  sendShared(message: unknown[], cache: Map<object, Uint8Array | string>): void {
    if (!this.isOpen) return;
    const serializer = this.#serializer;
    let bytes = cache.get(serializer) as Buffer | undefined;
    if (bytes === undefined) {
      const data = serializer.serialize(message);
      bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      cache.set(serializer, bytes);
    }
    this.connection.sendMessage(bytes, serializer.isBinary);
  }

  close(code: number = NORMAL_CLOSE, reason = ''): void {
    if (!this.isOpen) return;
    // Transport-neutral callers may pass codes a close frame cannot carry (1005, 1006, 1015 or
    // out of range); those become 1000.
    const sendable = isSendableCloseCode(code) ? code : NORMAL_CLOSE;
    if (Buffer.byteLength(reason) > MAX_CLOSE_REASON) reason = '';
    try {
      void this.connection.close(sendable, reason).catch(() => {});
    } catch {
      this.connection.terminate();
    }
  }

  #receive(data: Buffer, isBinary: boolean): void {
    if (this.#maxMessageSize > 0 && data.length > this.#maxMessageSize) {
      this.fail(createError(TransportErrorCode.MESSAGE_TOO_BIG, `message of ${data.length} bytes exceeds the limit of ${this.#maxMessageSize}`, {
        wampUri: ErrorUri.PROTOCOL_VIOLATION,
      }));
      return;
    }
    if (isBinary !== this.#serializer.isBinary) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, `${isBinary ? 'binary' : 'text'} message on ${this.#serializer.subprotocol}`, {
        wampUri: ErrorUri.PROTOCOL_VIOLATION,
      }));
      return;
    }
    let value: unknown;
    try {
      // Text frames were UTF-8 validated by the engine already: decode without a second check.
      value = this.#serializer.deserialize(isBinary ? data : data.toString('utf8'));
    } catch (error) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, error instanceof Error ? error.message : String(error), {
        wampUri: ErrorUri.PROTOCOL_VIOLATION,
      }, error));
      return;
    }
    this.deliver(value);
  }
}

export interface WebSocketClientOptions extends Omit<ConnectOptions, 'protocols'>, WebSocketTransportOptions {
  /** Serializers to offer, most preferred first: names or instances. Default cbor, msgpack, json. */
  serializers?: SerializerSpec[];
  /**
   * Nesting limit (16..1024, default 512) of the serializers named in `serializers`; an
   * instance passed there keeps its own.
   */
  maxDepth?: number;
}

/** Connects to a WAMP router over WebSocket; resolves once the handshake agreed a serializer. */
export async function connectWebSocketTransport(url: string | URL, options: WebSocketClientOptions = {}): Promise<WebSocketTransport> {
  const { serializers, maxMessageSize, maxDepth, ...wsOptions } = options;
  const offered = serializersOf(serializers, maxDepth === undefined ? undefined : { maxDepth });
  log.debug(() => `connecting to ${String(url)} offering ${offered.map((s) => s.subprotocol).join(', ')}`);
  const connection = await connect(url, { ...wsOptions, protocols: offered.map((s) => s.subprotocol) });
  log.debug(() => `connected to ${String(url)}: subprotocol ${connection.subprotocol ?? '(none)'}, extensions ${connection.extensions === '' ? '(none)' : connection.extensions}`);
  const chosen = offered.find((s) => s.subprotocol === connection.subprotocol);
  if (chosen === undefined) {
    void connection.close(NORMAL_CLOSE, 'no WAMP subprotocol').catch(() => {});
    throw createError(TransportErrorCode.NO_SUBPROTOCOL, `the server at ${String(url)} agreed none of ${offered.map((s) => s.subprotocol).join(', ')}`);
  }
  return new WebSocketTransport(connection, chosen, maxMessageSize === undefined ? {} : { maxMessageSize });
}
