/**
 * An in-process transport pair: two connected ends, for tests and for embedding a client in
 * the router's process. Delivery is asynchronous (a microtask per message) and ordered, like a
 * real network, so code tested over it does not come to depend on re-entrant delivery.
 *
 * Without a serializer, messages pass as values (each end receives a structured clone, so
 * neither can alias the other's objects). With one, they are serialized and deserialized,
 * which lets tests exercise the serializers without sockets.
 */
import { BaseTransport, type TransportSerializer } from './transport.js';
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { ErrorUri } from '../wamp/uris.js';

export interface MemoryPairOptions {
  /** Serialize each message on the way (default: pass structured clones). */
  serializer?: TransportSerializer;
  /** Report messages larger than this many serialized bytes as errors (0: no limit; needs a serializer). */
  maxMessageSize?: number;
}

class MemoryTransport extends BaseTransport {
  readonly serializerName: string;
  readonly peer = 'memory';
  other: MemoryTransport | null = null;
  readonly #serializer: TransportSerializer | undefined;
  readonly #maxMessageSize: number;

  constructor(options: MemoryPairOptions) {
    super();
    this.#serializer = options.serializer;
    this.#maxMessageSize = options.maxMessageSize ?? 0;
    this.serializerName = this.#serializer?.name ?? 'memory';
  }

  send(message: unknown[]): void {
    const other = this.other;
    if (!this.isOpen || other === null) return;
    const serializer = this.#serializer;
    if (serializer === undefined) {
      const copy = structuredClone(message);
      queueMicrotask(() => other.deliver(copy));
      return;
    }
    const data = serializer.serialize(message);
    queueMicrotask(() => other.receive(data));
  }

  get serializer(): TransportSerializer | undefined {
    return this.#serializer;
  }

  receive(data: Uint8Array | string): void {
    const serializer = this.#serializer;
    if (serializer === undefined) return;
    const size = typeof data === 'string' ? data.length : data.byteLength;
    if (this.#maxMessageSize > 0 && size > this.#maxMessageSize) {
      this.fail(createError(TransportErrorCode.MESSAGE_TOO_BIG, `message of ${size} bytes exceeds ${this.#maxMessageSize}`, {
        wampUri: ErrorUri.PROTOCOL_VIOLATION,
      }));
      return;
    }
    let value: unknown;
    try {
      value = serializer.deserialize(data);
    } catch (error) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, `cannot deserialize: ${String(error)}`, {
        wampUri: ErrorUri.PROTOCOL_VIOLATION,
      }, error));
      return;
    }
    this.deliver(value);
  }

  close(code?: number, reason = ''): void {
    if (!this.isOpen) return;
    const other = this.other;
    this.closed({ wasClean: true, ...(code === undefined ? {} : { code }), reason });
    if (other !== null) queueMicrotask(() => other.closedByPeer(code, reason));
  }

  closedByPeer(code: number | undefined, reason: string): void {
    this.closed({ wasClean: true, ...(code === undefined ? {} : { code }), reason });
  }
}

/** Makes two connected transports: `[clientSide, routerSide]`. */
export function createMemoryPair(options: MemoryPairOptions = {}): [BaseTransport, BaseTransport] {
  if (options.maxMessageSize !== undefined && !(Number.isInteger(options.maxMessageSize) && options.maxMessageSize >= 0)) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `maxMessageSize must be a non-negative integer, got ${String(options.maxMessageSize)}`);
  }
  const a = new MemoryTransport(options);
  const b = new MemoryTransport(options);
  a.other = b;
  b.other = a;
  return [a, b];
}
