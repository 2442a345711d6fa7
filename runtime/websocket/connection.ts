/**
 * An open WebSocket connection (RFC 6455 after the opening handshake, RFC 7692 when
 * negotiated). It owns the socket and the timers; framing, assembly and compression live in
 * the stages it wires together (frame-parser -> message-assembler -> here; frame-sender out).
 *
 * It is open when constructed, so there is no 'open' event: a handler's `onOpen` runs when
 * the handler is attached. Events: 'message', 'messageStream' (receive mode 'stream'),
 * 'ping', 'pong', 'close', 'error' (never thrown when unheard), and Autobahn's frame-level
 * 'messageBegin', 'frameBegin', 'frameData', 'frameEnd', 'messageEnd'.
 *
 * Every protocol violation becomes a typed error that reaches `#fail`, the one place that
 * turns it into a close frame and a dropped connection.
 *
 * One class, one state: the stages call back through a port object made inside the class
 * (`#Port`), so they reach private methods without the connection exposing them. Helpers with
 * no access to its state: message-data.ts (send-argument checks), message-writer.ts,
 * message-delivery.ts (received messages by receive mode), close-state.ts, keep-alive.ts.
 * (The one file over 450 lines: the public API alone is 25 documented members.)
 */
import { EventEmitter } from 'node:events';
import type { Duplex, Writable } from 'node:stream';
import { isWampkitError, type WampkitError } from '../errors.js';
import { logger } from '../log.js';
import { closePayload, encodeClosePayload, shortReason } from './close-frame.js';
import { CloseState } from './close-state.js';
import { resolveConnectionOptions } from './connection-options.js';
import { ReadyState, type CloseInfo, type ConnectionEvents, type FrameInfo, type ReceivedMessage } from './connection-types.js';
import { CloseCode, Opcode } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { FrameSender, type SenderOwner } from './frame-sender.js';
import type { IncomingMessage } from './incoming-message.js';
import { KeepAlive, type KeepAliveOwner } from './keep-alive.js';
import { MessageAssembler, type MessageSink } from './message-assembler.js';
import { checkFrameLength, checkStreamCall, controlPayload, streamIsBinary, toBuffer, type MessageData, type MessageStreamOptions } from './message-data.js';
import { MessageDelivery } from './message-delivery.js';
import { messageWritable } from './message-writer.js';
import { PerMessageDeflateCodec } from './permessage-deflate.js';
import type { ConnectionInit, ReceiveMode, Role } from './types.js';

export { ReadyState };
export type { CloseInfo, ConnectionEvents, FrameInfo, ReceivedMessage } from './connection-types.js';
export type { MessageData, MessageStreamOptions } from './message-data.js';

/** Autobahn-style handler object; every method optional. */
export interface ConnectionHandler {
  onOpen?(connection: WebSocketConnection): void;
  onMessage?(payload: Buffer, isBinary: boolean): void;
  onClose?(wasClean: boolean, code: number, reason: string): void;
  onPing?(payload: Buffer): void;
  onPong?(payload: Buffer): void;
  onError?(error: Error): void;
  onMessageBegin?(isBinary: boolean): void;
  onFrameBegin?(info: FrameInfo): void;
  onFrameData?(chunk: Buffer): void;
  onFrameEnd?(): void;
  onMessageEnd?(): void;
}

const log = logger('websocket');
const kConnection = Symbol('wampkit.connection');
type OwnedSocket = Duplex & { [kConnection]?: WebSocketConnection };

/** What the stages call back: the assembler, the sender, keep-alive. */
interface ConnectionPort extends MessageSink, SenderOwner, KeepAliveOwner {}

const EMPTY = Buffer.alloc(0);

export class WebSocketConnection extends EventEmitter<ConnectionEvents> {
  readonly subprotocol: string | null;
  readonly extensions: string;
  readonly peer: string;
  readonly role: Role;
  readonly #socket: Duplex;
  readonly #port: ConnectionPort;
  readonly #sender: FrameSender;
  readonly #assembler: MessageAssembler;
  readonly #codec: PerMessageDeflateCodec | null;
  readonly #keepAlive: KeepAlive | null;
  readonly #receiveMode: ReceiveMode;
  readonly #closeTimeout: number;
  #state: ReadyState = ReadyState.OPEN;
  #handler: ConnectionHandler | null = null;

  /** Where received messages go; made on the first message (or messages()/incoming()). */
  #delivery: MessageDelivery | null = null;
  /** The closing handshake; made once closing begins. */
  #close: CloseState | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  #closeInfo: CloseInfo | null = null;
  #closed: Promise<CloseInfo> | null = null;
  #resolveClosed: ((info: CloseInfo) => void) | null = null;

  constructor(socket: Duplex, head: Buffer, init: ConnectionInit) {
    super();
    const options = resolveConnectionOptions(init);
    const codec = PerMessageDeflateCodec.forConnection(init.deflate, init.role, options);
    this.role = init.role;
    this.subprotocol = init.subprotocol;
    this.extensions = init.extensions;
    this.peer = init.peer;
    this.#socket = socket;
    this.#codec = codec;
    this.#receiveMode = options.receiveMode;
    this.#closeTimeout = options.closeTimeout;
    this.#port = new WebSocketConnection.#Port(this);
    this.#sender = new FrameSender(socket, this.#port, { role: init.role, codec, autoFragmentSize: options.autoFragmentSize });
    this.#assembler = new MessageAssembler(this.#port, {
      role: init.role,
      maxFramePayloadSize: options.maxFramePayloadSize,
      maxMessagePayloadSize: options.maxMessagePayloadSize,
      maxFramesPerMessage: options.maxFramesPerMessage,
      validateUtf8: options.validateUtf8,
      codec,
    });
    this.#keepAlive = options.autoPingInterval > 0 ? new KeepAlive(this.#port, options.autoPingInterval, options.autoPingTimeout) : null;
    const net = socket as Duplex & { setNoDelay?: (noDelay: boolean) => void; setTimeout?: (ms: number) => void };
    net.setNoDelay?.(true);
    net.setTimeout?.(0);
    // Before the 'data' listener: unshifting into a flowing stream would emit at once, before
    // the caller could listen; this way the head is the first chunk read on the next tick.
    if (head.length > 0) socket.unshift(head);
    (socket as OwnedSocket)[kConnection] = this;
    socket.on('data', WebSocketConnection.#socketOnData);
    socket.on('end', WebSocketConnection.#socketOnEnd);
    socket.on('close', WebSocketConnection.#socketOnClose);
    socket.on('error', WebSocketConnection.#socketOnError);
    if (socket.destroyed) queueMicrotask(() => this.#onSocketClose());
  }

  get readyState(): ReadyState {
    return this.#state;
  }

  /** Bytes accepted for sending but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#sender.bufferedAmount;
  }

  /** Resolves once the connection is closed (made on first use: an idle connection has none). */
  get closed(): Promise<CloseInfo> {
    const info = this.#closeInfo;
    return (this.#closed ??= info !== null ? Promise.resolve(info) : new Promise<CloseInfo>((resolve) => (this.#resolveClosed = resolve)));
  }

  /** Attaches an Autobahn-style handler; its `onOpen` runs now, since the connection is open. */
  setHandler(handler: ConnectionHandler | null): void {
    this.#handler = handler;
    if (handler !== null && this.#state === ReadyState.OPEN) handler.onOpen?.(this);
  }

  // Sending

  /**
   * Sends a message (text for strings unless `isBinary`; binary for bytes unless `isBinary`
   * is false). Returns false when the send buffer is above its high-water mark (wait for
   * `drain()`), or when the connection is not open (nothing is sent then).
   */
  sendMessage(data: MessageData, isBinary: boolean = typeof data !== 'string'): boolean {
    const payload = toBuffer(data);
    // The hot path: the table is consulted only when a streamed message is open.
    if (this.#sender.streamOpen) checkStreamCall('sendMessage', this.#sender);
    if (this.#state !== ReadyState.OPEN) return false;
    this.#sender.sendMessage(payload, isBinary);
    return this.#sender.belowHighWater;
  }

  /** Sends a ping (payload at most 125 bytes). */
  sendPing(payload?: MessageData): void {
    const buffer = controlPayload(payload, 'ping');
    if (this.#state === ReadyState.OPEN) this.#sender.sendControl(Opcode.PING, buffer);
  }

  /** Sends an unsolicited pong (a heartbeat the peer need not answer). */
  sendPong(payload?: MessageData): void {
    const buffer = controlPayload(payload, 'pong');
    if (this.#state === ReadyState.OPEN) this.#sender.sendControl(Opcode.PONG, buffer);
  }

  /** Starts a message sent piece by piece (sendMessageFrame / beginMessageFrame, then endMessage). */
  beginMessage(isBinary = false): void {
    checkStreamCall('beginMessage', this.#sender);
    if (this.#state === ReadyState.OPEN) this.#sender.beginMessage(isBinary);
  }

  /** Sends `data` as the next frame of the open message (compressed when deflate is on). */
  sendMessageFrame(data: MessageData, fin = false): boolean {
    checkStreamCall('sendMessageFrame', this.#sender);
    if (this.#state !== ReadyState.OPEN) return false;
    this.#sender.sendMessageFrame(toBuffer(data), fin);
    return this.#sender.belowHighWater;
  }

  /** Ends the open message. */
  endMessage(): void {
    checkStreamCall('endMessage', this.#sender);
    if (this.#state === ReadyState.OPEN) this.#sender.endMessage();
  }

  /** Starts a hand-written (uncompressed) frame of `length` bytes in the open message. */
  beginMessageFrame(length: number): void {
    if (this.#sender.streamOpen) checkFrameLength(length);
    checkStreamCall('beginMessageFrame', this.#sender);
    if (this.#state === ReadyState.OPEN) this.#sender.beginMessageFrame(length);
  }

  /**
   * Payload for the hand-written frame: returns the bytes it still needs, 0 when complete,
   * or minus the bytes of `data` that did not fit (not sent).
   */
  sendMessageFrameData(data: MessageData): number {
    checkStreamCall('sendMessageFrameData', this.#sender);
    return this.#sender.sendMessageFrameData(toBuffer(data));
  }

  /** A Writable that sends one message, a frame per write, ended by `end()`. */
  createMessageStream(options: MessageStreamOptions = {}): Writable {
    this.beginMessage(streamIsBinary(options));
    return messageWritable(this);
  }

  /** Resolves when the send buffer is below its high-water mark again (or the connection closed). */
  drain(): Promise<void> {
    return this.#state === ReadyState.CLOSED ? Promise.resolve() : this.#sender.drain();
  }

  // Closing

  /** Starts the closing handshake (code 1000 or 3000-4999, reason at most 123 bytes of UTF-8). */
  sendClose(code?: number, reason?: string): void {
    const payload = encodeClosePayload(code, reason);
    if (this.#state !== ReadyState.OPEN) return;
    this.#state = ReadyState.CLOSING;
    this.#closing().sent = true;
    this.#keepAlive?.stop();
    this.#sender.sendClose(payload, false);
    this.#armCloseTimer('the peer did not answer our close frame in time');
  }

  /** Closes normally (1000) and resolves once the connection is closed. */
  close(code: number = CloseCode.NORMAL, reason?: string): Promise<CloseInfo> {
    this.sendClose(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection at once, without a closing handshake. */
  terminate(): void {
    if (this.#state === ReadyState.CLOSED) return;
    this.#closing().unclean ??= 'terminated locally';
    this.#state = ReadyState.CLOSING;
    // Frames corked for this tick go to the kernel first, as unbatched writes would have.
    this.#sender.flush();
    this.#socket.destroy();
  }

  // Receiving

  /** Complete messages as they arrive (receive mode 'message'); a slow loop pauses the socket. */
  messages(): AsyncIterableIterator<ReceivedMessage> {
    return this.#deliver().messages();
  }

  /** Each message as a stream, as it arrives (receive mode 'stream'). */
  incoming(): AsyncIterableIterator<IncomingMessage> {
    return this.#deliver().incoming();
  }

  #deliver(): MessageDelivery {
    if (this.#delivery === null) {
      this.#delivery = new MessageDelivery(this.#receiveMode, this.#assembler);
      if (this.#closeInfo !== null) this.#delivery.close(this.#closeInfo.code);
    }
    return this.#delivery;
  }

  // What the assembler reports (through #Port)

  #onMessageBegin(isBinary: boolean): void {
    const stream = this.#deliver().begin(isBinary);
    if (stream !== null) this.emit('messageStream', stream);
    this.emit('messageBegin', isBinary);
    this.#handler?.onMessageBegin?.(isBinary);
  }

  #onFrameBegin(length: number, fin: boolean, opcode: number): void {
    try {
      this.#delivery!.frameBegin(length, fin, opcode !== Opcode.CONTINUATION);
    } catch (error) {
      return this.#failOn(error);
    }
    const handler = this.#handler;
    if (this.listenerCount('frameBegin') === 0 && handler?.onFrameBegin === undefined) return;
    const info: FrameInfo = { length, fin, opcode };
    this.emit('frameBegin', info);
    handler?.onFrameBegin?.(info);
  }

  #onMessageData(chunk: Buffer): void {
    this.emit('frameData', chunk);
    this.#handler?.onFrameData?.(chunk);
    try {
      this.#delivery!.data(chunk);
    } catch (error) {
      this.#failOn(error);
    }
  }

  #onFrameEnd(): void {
    this.emit('frameEnd');
    this.#handler?.onFrameEnd?.();
  }

  #onMessageEnd(): void {
    this.emit('messageEnd');
    this.#handler?.onMessageEnd?.();
    const delivery = this.#delivery!;
    let data: Buffer | null;
    try {
      data = delivery.end();
    } catch (error) {
      return this.#failOn(error);
    }
    if (data === null) return;
    const isBinary = delivery.isBinary;
    this.emit('message', data, isBinary);
    this.#handler?.onMessage?.(data, isBinary);
  }

  #onPing(payload: Buffer): void {
    if (this.#state === ReadyState.OPEN) this.#sender.answerPing(payload);
    this.emit('ping', payload);
    this.#handler?.onPing?.(payload);
  }

  #onPong(payload: Buffer): void {
    this.#keepAlive?.pong(payload);
    this.emit('pong', payload);
    this.#handler?.onPong?.(payload);
  }

  #onCloseFrame(code: number, reason: string): void {
    const close = this.#closing();
    close.received = true;
    close.code = code;
    close.reason = reason;
    this.#keepAlive?.stop();
    this.#clearCloseTimer();
    this.#socket.resume();
    const server = this.role === 'server';
    if (!close.sent) {
      close.sent = true;
      this.#state = ReadyState.CLOSING;
      // Echo the code (RFC 6455 section 5.5.1); a close without one is echoed without one.
      this.#sender.sendClose(code === CloseCode.NO_STATUS ? EMPTY : closePayload(code, ''), server);
    } else if (server) {
      this.#sender.endSocket();
    }
    // The server closes TCP first; a client gives it closeTimeout to do so.
    this.#armCloseTimer(server ? 'the client did not close TCP in time' : 'the server did not close TCP in time');
  }

  /** Fails the connection: the one place errors become a close frame and a dropped TCP connection. */
  #fail(error: Error): void {
    const close = this.#closing();
    if (this.#state === ReadyState.CLOSED || close.failure !== null) return;
    close.failure = error;
    this.#assembler.stop();
    this.#keepAlive?.stop();
    this.#emitError(error);
    this.#state = ReadyState.CLOSING;
    const code = isWampkitError(error) ? error.closeCode : undefined;
    log.info(() => `${this.role} connection with ${this.peer} failed${code === undefined ? '' : ` with close code ${code}`}: ${error.message}`);
    if (code === undefined) {
      this.#socket.destroy();
      return;
    }
    const payload = close.sent ? null : closePayload(code, shortReason(error.message));
    close.sent = true;
    this.#sender.abort(payload);
    // Reading may be paused (inflate, slow consumer): read on, discarding, to see the TCP close.
    this.#socket.resume();
    this.#armCloseTimer(null);
  }

  /** A typed error from a stage (an allocation that failed: 1009) fails the connection; anything else is a bug. */
  #failOn(error: unknown): void {
    if (!isWampkitError(error)) throw error;
    this.#fail(error);
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.#handler?.onError?.(error);
  }

  #armCloseTimer(uncleanReason: string | null): void {
    this.#clearCloseTimer();
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = null;
      if (uncleanReason !== null) this.#closing().unclean ??= uncleanReason;
      this.#socket.destroy();
    }, this.#closeTimeout);
  }

  #clearCloseTimer(): void {
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
  }

  #closing(): CloseState {
    return (this.#close ??= new CloseState());
  }

  // Socket events: one function shared by all connections (no closures per connection).

  static #socketOnData(this: OwnedSocket, chunk: Buffer): void {
    const connection = this[kConnection]!;
    if (connection.#keepAlive !== null) connection.#keepAlive.traffic = true;
    // Replies sent while this chunk's messages are handled (echoes, pongs, RPC results) leave
    // in one writev instead of one system call each.
    this.cork();
    try {
      connection.#assembler.push(chunk);
    } finally {
      // A throwing user listener must not leave the socket corked.
      this.uncork();
    }
  }
  static #socketOnEnd(this: OwnedSocket): void {
    // The peer closed its side; without a close frame first this is an abnormal closure.
    this[kConnection]!.#state = ReadyState.CLOSING;
    this.end();
  }
  static #socketOnError(this: OwnedSocket, error: Error): void {
    const connection = this[kConnection]!;
    const close = connection.#closing();
    if (close.failure === null && connection.#state !== ReadyState.CLOSED) {
      close.failure = error;
      connection.#emitError(error);
    }
    this.destroy();
  }
  static #socketOnClose(this: OwnedSocket): void {
    this[kConnection]!.#onSocketClose();
  }

  #onSocketClose(): void {
    if (this.#state === ReadyState.CLOSED) return;
    this.#state = ReadyState.CLOSED;
    this.#clearCloseTimer();
    this.#keepAlive?.stop();
    this.#assembler.stop();
    this.#codec?.close();
    const info = this.#closing().info();
    this.#closeInfo = info;
    log.debug(() => `${this.role} connection with ${this.peer} closed: ${info.code}${info.reason === '' ? '' : ` ${JSON.stringify(info.reason)}`}, ${info.wasClean ? 'clean' : 'not clean'}`);
    this.#delivery?.close(info.code);
    this.#sender.release();
    this.emit('close', info);
    this.#handler?.onClose?.(info.wasClean, info.code, info.reason);
    this.#resolveClosed?.(info);
    this.#resolveClosed = null;
  }

  /**
   * The port the stages call (the assembler's sink, the sender's and keep-alive's owner),
   * defined inside the class body: its forwarders reach private methods, nothing outside can.
   */
  static readonly #Port = class Port implements ConnectionPort {
    readonly #c: WebSocketConnection;
    constructor(connection: WebSocketConnection) {
      this.#c = connection;
    }
    onMessageBegin(isBinary: boolean): void { this.#c.#onMessageBegin(isBinary); }
    onFrameBegin(length: number, fin: boolean, opcode: number): void { this.#c.#onFrameBegin(length, fin, opcode); }
    onMessageData(chunk: Buffer): void { this.#c.#onMessageData(chunk); }
    onFrameEnd(): void { this.#c.#onFrameEnd(); }
    onMessageEnd(): void { this.#c.#onMessageEnd(); }
    onPing(payload: Buffer): void { this.#c.#onPing(payload); }
    onPong(payload: Buffer): void { this.#c.#onPong(payload); }
    onCloseFrame(code: number, reason: string): void { this.#c.#onCloseFrame(code, reason); }
    onProtocolError(error: WampkitError): void { this.#c.#fail(error); }
    onReadPaused(paused: boolean): void {
      if (paused) this.#c.#socket.pause();
      else this.#c.#socket.resume();
    }
    onSenderError(error: WampkitError): void { this.#c.#fail(error); }
    sendKeepAlivePing(payload: Buffer): boolean {
      const c = this.#c;
      if (c.#state !== ReadyState.OPEN) return false;
      c.#sender.sendControl(Opcode.PING, payload);
      return true;
    }
    keepAliveTimedOut(timeoutMs: number): void {
      this.#c.#fail(wsError(WebSocketErrorCode.PING_TIMEOUT, `no pong within ${timeoutMs} ms`));
    }
  };
}
