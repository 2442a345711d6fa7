/**
 * The sending half of a connection's public API: messages, pings, streamed messages,
 * hand-written frames, backpressure and the keep-alive ping. The receiving half and the
 * closing handshake are in connection.ts, which extends this class.
 */
import { EventEmitter } from 'node:events';
import { Writable, type Duplex } from 'node:stream';
import { MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { ReadyState, type ConnectionEvents } from './connection-types.js';
import type { ResolvedConnectionOptions } from './connection-options.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { FrameSender, type SenderOwner } from './frame-sender.js';
import type { WampkitError } from '../errors.js';
import type { PerMessageDeflateCodec } from './permessage-deflate.js';
import type { Role } from './types.js';
import { nextMaskKey } from './mask-keys.js';

export type MessageData = string | Uint8Array;

export interface MessageStreamOptions {
  /** Send a binary message (default false: text, whose bytes must be UTF-8). */
  binary?: boolean;
}

const PING_PAYLOAD_SIZE = 4;

let createSenderOwner: (api: ConnectionApi) => SenderOwner;

function toBuffer(data: MessageData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `message data must be a string or Uint8Array, got ${typeof data}`);
}

function controlPayload(payload: MessageData | undefined, what: string): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  const buffer = toBuffer(payload);
  if (buffer.length > MAX_CONTROL_PAYLOAD) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `${what} payload of ${buffer.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  }
  return buffer;
}

export abstract class ConnectionApi extends EventEmitter<ConnectionEvents> {
  protected readonly socket: Duplex;
  protected readonly sender: FrameSender;
  /** We sent (or queued) a close frame: no more data may follow. */
  protected closeSent = false;
  /** Something arrived since the keep-alive timer last looked. */
  protected trafficSeen = false;
  #state: ReadyState = ReadyState.OPEN;
  readonly #pingInterval: number;
  readonly #pingTimeout: number;
  #pingTimer: NodeJS.Timeout | null = null;
  #pingPayload: Buffer | null = null;
  /** The keep-alive timer's callback; made only when keep-alive is on. */
  #onPingTimer: (() => void) | null = null;
  #onSocketDrain: (() => void) | null = null;
  #drainWaiters: Array<() => void> | null = null;

  constructor(socket: Duplex, role: Role, options: ResolvedConnectionOptions, codec: PerMessageDeflateCodec | null) {
    super();
    this.socket = socket;
    this.sender = new FrameSender(socket, createSenderOwner(this), { role, codec, autoFragmentSize: options.autoFragmentSize });
    this.#pingInterval = options.autoPingInterval;
    this.#pingTimeout = options.autoPingTimeout;
    if (this.#pingInterval > 0) {
      this.#onPingTimer = () => this.#pingTimerFired();
      this.#armPing(this.#pingInterval);
    }
  }

  get readyState(): ReadyState {
    return this.#state;
  }

  protected setState(state: ReadyState): void {
    this.#state = state;
  }

  /** Bytes accepted for sending but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.sender.bufferedAmount;
  }

  /**
   * Sends a message (text for strings unless `isBinary`; binary for bytes unless `isBinary`
   * is false). Returns false when the send buffer is above its high-water mark (wait for
   * `drain()`), or when the connection is not open (nothing is sent then).
   */
  sendMessage(data: MessageData, isBinary: boolean = typeof data !== 'string'): boolean {
    const payload = toBuffer(data);
    if (this.sender.streamOpen) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a streamed message is open: call endMessage() first');
    }
    if (this.#state !== ReadyState.OPEN) return false;
    this.sender.sendMessage(payload, isBinary);
    return this.#belowHighWater();
  }

  /** Sends a ping (payload at most 125 bytes). */
  sendPing(payload?: MessageData): void {
    const buffer = controlPayload(payload, 'ping');
    if (this.#state === ReadyState.OPEN) this.sender.sendControl(Opcode.PING, buffer);
  }

  /** Sends an unsolicited pong (a heartbeat the peer need not answer). */
  sendPong(payload?: MessageData): void {
    const buffer = controlPayload(payload, 'pong');
    if (this.#state === ReadyState.OPEN) this.sender.sendControl(Opcode.PONG, buffer);
  }

  /** Starts a message sent piece by piece (sendMessageFrame / beginMessageFrame, then endMessage). */
  beginMessage(isBinary = false): void {
    if (this.sender.streamOpen) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a streamed message is already open');
    if (this.#state !== ReadyState.OPEN) return;
    this.sender.beginMessage(isBinary);
  }

  /** Sends `data` as the next frame of the open message (compressed when deflate is on). */
  sendMessageFrame(data: MessageData, fin = false): boolean {
    this.#requireStream();
    if (this.sender.inFrame) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a hand-written frame is incomplete');
    if (this.#state !== ReadyState.OPEN) return false;
    this.sender.sendMessageFrame(toBuffer(data), fin);
    return this.#belowHighWater();
  }

  /** Ends the open message. */
  endMessage(): void {
    this.#requireStream();
    if (this.sender.inFrame) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a hand-written frame is incomplete');
    if (this.#state !== ReadyState.OPEN) return;
    this.sender.endMessage();
  }

  /** Starts a hand-written (uncompressed) frame of `length` bytes in the open message. */
  beginMessageFrame(length: number): void {
    this.#requireStream();
    if (!Number.isSafeInteger(length) || length < 0) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `frame length must be a non-negative integer, got ${String(length)}`);
    }
    if (this.sender.inFrame) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'the previous frame is incomplete');
    if (this.sender.streamCompressed) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a compressed message cannot continue with hand-written frames');
    }
    if (this.#state !== ReadyState.OPEN) return;
    this.sender.beginMessageFrame(length);
  }

  /**
   * Payload for the hand-written frame: returns the bytes it still needs, 0 when complete,
   * or minus the bytes of `data` that did not fit (not sent).
   */
  sendMessageFrameData(data: MessageData): number {
    if (!this.sender.inFrame) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'no hand-written frame is open');
    return this.sender.sendMessageFrameData(toBuffer(data));
  }

  /** A Writable that sends one message, a frame per write, ended by `end()`. */
  createMessageStream(options: MessageStreamOptions = {}): Writable {
    const binary = options.binary ?? false;
    if (typeof binary !== 'boolean') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `binary must be a boolean, got ${String(binary)}`);
    this.beginMessage(binary);
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.#state !== ReadyState.OPEN) return callback(wsError(WebSocketErrorCode.NOT_OPEN, 'connection is not open'));
        if (this.sendMessageFrame(chunk)) callback();
        else this.drain().then(() => callback(), callback);
      },
      final: (callback) => {
        if (this.#state !== ReadyState.OPEN) return callback(wsError(WebSocketErrorCode.NOT_OPEN, 'connection is not open'));
        this.endMessage();
        callback();
      },
    });
  }

  /** Resolves when the send buffer is below its high-water mark again (or the connection closed). */
  drain(): Promise<void> {
    if (this.#state === ReadyState.CLOSED || this.#belowHighWater()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.#drainWaiters === null) {
        this.#drainWaiters = [];
        this.#onSocketDrain ??= () => this.#settleDrain();
        this.socket.on('drain', this.#onSocketDrain);
      }
      this.#drainWaiters.push(resolve);
    });
  }

  /** Fails the connection with a typed error (implemented by the connection). */
  protected abstract fail(error: Error): void;

  /** A pong arrived: if it answers the keep-alive ping, the peer is alive. */
  protected autoPingAnswered(payload: Buffer): void {
    const expected = this.#pingPayload;
    if (expected === null || !expected.equals(payload)) return;
    this.#pingPayload = null;
    this.#armPing(this.#pingInterval);
  }

  protected stopAutoPing(): void {
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    this.#pingTimer = null;
    this.#pingPayload = null;
  }

  /** The socket closed: release waiters. */
  protected connectionClosed(): void {
    this.#settleDrain();
  }

  static {
    class SenderLink implements SenderOwner {
      readonly #api: ConnectionApi;
      constructor(api: ConnectionApi) {
        this.#api = api;
      }
      onSenderError(error: WampkitError): void {
        this.#api.fail(error);
      }
      onSenderIdle(): void {
        this.#api.#settleDrain();
      }
    }
    createSenderOwner = (api) => new SenderLink(api);
  }

  #requireStream(): void {
    if (!this.sender.streamOpen) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'no streamed message is open: call beginMessage() first');
  }

  #belowHighWater(): boolean {
    return this.sender.bufferedAmount < this.socket.writableHighWaterMark;
  }

  #settleDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters === null || (this.#state !== ReadyState.CLOSED && !this.#belowHighWater())) return;
    this.#drainWaiters = null;
    if (this.#onSocketDrain !== null) this.socket.off('drain', this.#onSocketDrain);
    for (const resolve of waiters) resolve();
  }

  #armPing(delay: number): void {
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(this.#onPingTimer!, delay);
    this.#pingTimer.unref();
  }

  #pingTimerFired(): void {
    if (this.#pingPayload !== null) {
      this.#pingTimer = null;
      this.fail(wsError(WebSocketErrorCode.PING_TIMEOUT, `no pong within ${this.#pingTimeout} ms`));
      return;
    }
    if (this.trafficSeen) {
      this.trafficSeen = false;
      this.#pingTimer!.refresh();
      return;
    }
    if (this.#state !== ReadyState.OPEN) return;
    // Random bytes, so a pong we did not ask for cannot be mistaken for the answer.
    const payload = Buffer.from(nextMaskKey().subarray(0, PING_PAYLOAD_SIZE));
    this.#pingPayload = payload;
    this.sender.sendControl(Opcode.PING, payload);
    this.#armPing(this.#pingTimeout);
  }

}
