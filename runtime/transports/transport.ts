/**
 * The abstract WAMP transport: a message-based, reliable, ordered, bidirectional channel
 * carrying WAMP messages (arrays). Sessions (client side) and the router program against this
 * and nothing below it, so WebSocket, RawSocket, the in-memory pair and the browser's
 * WebSocket are interchangeable.
 *
 * A transport delivers *deserialized* values: parsing them into typed WAMP messages (and
 * turning a malformed one into ABORT protocol_violation) is the session's job, because only
 * the session knows its state. Bytes that do not even deserialize, or exceed the negotiated
 * size, are reported as 'error' with a typed error carrying `wampUri`; the transport stays
 * open so the owner can still send ABORT before closing it.
 */
import { Emitter } from './emitter.js';
import type { WampkitError } from '../errors.js';

/**
 * What a transport needs of a serializer. Structural on purpose: the serializers in
 * runtime/serializers satisfy it without this file importing them (keeping the browser path
 * free of whatever they pull in).
 */
export interface TransportSerializer {
  /** 'json' | 'msgpack' | 'cbor' */
  readonly name: string;
  /** True when the serialized form is bytes (binary WebSocket frames). */
  readonly isBinary: boolean;
  serialize(message: unknown[]): Uint8Array | string;
  deserialize(data: Uint8Array | string): unknown;
}

export interface TransportCloseInfo {
  /** True when the transport closed in an orderly way (close handshake, end of stream). */
  readonly wasClean: boolean;
  /** A WebSocket close code, where the transport has one. */
  readonly code?: number;
  readonly reason: string;
}

export type TransportEvents = {
  /** One received WAMP message, deserialized but not yet validated. */
  message: (message: unknown) => void;
  /** Bytes that could not be turned into a message, or a message over the size limit. */
  error: (error: WampkitError) => void;
  /** Emitted exactly once, after which nothing more is sent or received. */
  close: (info: TransportCloseInfo) => void;
};

export interface WampTransport {
  /** The serializer in use ('memory' when messages pass as values). */
  readonly serializerName: string;
  /** The peer, for logs: "tcp:127.0.0.1:5000", "unix:/tmp/s", "memory". */
  readonly peer: string;
  /**
   * The serializer instance in use (absent when messages pass as values, or before a RawSocket
   * handshake chose one). Caches of encoded messages are keyed by it, not by its name: two
   * instances of one format may have different limits (a nesting depth).
   */
  readonly serializer?: TransportSerializer | undefined;
  readonly isOpen: boolean;
  /** Sends one WAMP message. Dropped silently once the transport is closed. */
  send(message: unknown[]): void;
  /**
   * Sends a message that goes unchanged to many peers (an EVENT): serialized once per
   * serializer through `cache` (keyed by serializer instance, or a key object derived from it)
   * instead of once per peer.
   */
  sendShared?(message: unknown[], cache: Map<object, Uint8Array | string>): void;
  /** Closes the transport (a no-op when already closed). */
  close(code?: number, reason?: string): void;
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): this;
  once<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): this;
  off<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): this;
}

/**
 * A base for transports: one 'close' event however many paths lead to it, and no delivery
 * after close.
 */
export abstract class BaseTransport extends Emitter<TransportEvents> implements WampTransport {
  abstract readonly serializerName: string;
  abstract readonly peer: string;
  #closed = false;

  get isOpen(): boolean {
    return !this.#closed;
  }

  abstract send(message: unknown[]): void;
  abstract close(code?: number, reason?: string): void;

  protected deliver(message: unknown): void {
    if (!this.#closed) this.emit('message', message);
  }

  protected fail(error: WampkitError): void {
    if (!this.#closed) this.emit('error', error);
  }

  /** Call once the underlying channel is gone; later calls are ignored. */
  protected closed(info: TransportCloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close', info);
  }
}

/** A factory that opens a client transport (used by Component to connect and reconnect). */
export type TransportConnector = () => Promise<WampTransport>;
