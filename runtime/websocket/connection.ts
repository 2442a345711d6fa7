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
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { isWampkitError, type WampkitError } from '../errors.js';
import { logger } from '../log.js';
import { closePayload, encodeClosePayload } from './close-frame.js';
import { resolveConnectionOptions } from './connection-options.js';
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { FrameSender } from './frame-sender.js';
import { IncomingMessage } from './incoming-message.js';
import { MessageAssembler, PauseReason, type MessageSink } from './message-assembler.js';
import { MessageQueue, type QueueFlow } from './message-queue.js';
import { PerMessageDeflateCodec } from './permessage-deflate.js';
import { ConnectionApi } from './connection-api.js';
import type { ConnectionInit, ReceiveMode, Role } from './types.js';
import { ReadyState, type CloseInfo, type ConnectionHandler, type FrameInfo, type ReceivedMessage } from './connection-types.js';

export { ReadyState };
export type { CloseInfo, ConnectionEvents, ConnectionHandler, FrameInfo, ReceivedMessage } from './connection-types.js';

const log = logger('websocket');
const kConnection = Symbol('wampkit.connection');
type OwnedSocket = Duplex & { [kConnection]?: WebSocketConnection };

interface ConnectionLink extends MessageSink, QueueFlow {
  onStreamRead(): void;
}
let createLink: (connection: WebSocketConnection) => ConnectionLink;

/** Messages `messages()` holds before the socket is paused. */
const MESSAGE_QUEUE_LIMIT = 16;
/** Unread bytes an IncomingMessage holds before the socket is paused. */
const STREAM_HIGH_WATER_MARK = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** Largest single-frame message received straight into its own buffer (larger: gathered as it arrives). */
const RECEIVE_INTO_MAX = 8 * 1024 * 1024;

export class WebSocketConnection extends ConnectionApi {
  readonly subprotocol: string | null;
  readonly extensions: string;
  readonly peer: string;
  readonly role: Role;
  readonly #receiveMode: ReceiveMode;
  readonly #assembler: MessageAssembler;
  readonly #link: ConnectionLink;
  readonly #codec: PerMessageDeflateCodec | null;
  readonly #closeTimeout: number;
  #handler: ConnectionHandler | null = null;

  // Receiving.
  #isBinary = false;
  #firstChunk: Buffer | null = null;
  #chunks: Buffer[] | null = null;
  /** A single-frame message that spans socket chunks is received straight into this. */
  #whole: Buffer | null = null;
  #size = 0;
  #queue: MessageQueue<ReceivedMessage> | null = null;
  #streamQueue: MessageQueue<IncomingMessage> | null = null;
  #stream: IncomingMessage | null = null;

  // Closing.
  #closeReceived = false;
  #closeCode: number = CloseCode.ABNORMAL;
  #closeReason = '';
  #failure: Error | null = null;
  #unclean: string | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  #closeInfo: CloseInfo | null = null;
  #closed: Promise<CloseInfo> | null = null;
  #resolveClosed: ((info: CloseInfo) => void) | null = null;

  constructor(socket: Duplex, head: Buffer, init: ConnectionInit) {
    const options = resolveConnectionOptions(init);
    const codec =
      init.deflate === null || init.deflate === undefined
        ? null
        : new PerMessageDeflateCodec(init.deflate, init.role, {
            threshold: options.compressionThreshold,
            level: options.compressionLevel,
            memLevel: options.compressionMemLevel,
          });
    super(socket, init.role, options, codec);
    this.role = init.role;
    this.subprotocol = init.subprotocol;
    this.extensions = init.extensions;
    this.peer = init.peer;
    this.#receiveMode = options.receiveMode;
    this.#codec = codec;
    this.#closeTimeout = options.closeTimeout;
    this.#link = createLink(this);
    this.#assembler = new MessageAssembler(this.#link, {
      role: init.role,
      maxFramePayloadSize: options.maxFramePayloadSize,
      maxMessagePayloadSize: options.maxMessagePayloadSize,
      validateUtf8: options.validateUtf8,
      codec,
    });
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

  get closed(): Promise<CloseInfo> {
    if (this.#closed === null) {
      this.#closed =
        this.#closeInfo !== null
          ? Promise.resolve(this.#closeInfo)
          : new Promise<CloseInfo>((resolve) => {
              this.#resolveClosed = resolve;
            });
    }
    return this.#closed;
  }

  /** Attaches an Autobahn-style handler; its `onOpen` runs now, since the connection is open. */
  setHandler(handler: ConnectionHandler | null): void {
    this.#handler = handler;
    if (handler !== null && this.readyState === ReadyState.OPEN) handler.onOpen?.(this);
  }

  /** Starts the closing handshake (code 1000 or 3000-4999, reason at most 123 bytes of UTF-8). */
  sendClose(code?: number, reason?: string): void {
    const payload = encodeClosePayload(code, reason);
    if (this.readyState !== ReadyState.OPEN) return;
    this.setState(ReadyState.CLOSING);
    this.closeSent = true;
    this.stopAutoPing();
    this.sender.sendClose(payload, false);
    this.#armCloseTimer('the peer did not answer our close frame in time');
  }

  /** Closes normally (1000) and resolves once the connection is closed. */
  close(code: number = CloseCode.NORMAL, reason?: string): Promise<CloseInfo> {
    this.sendClose(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection at once, without a closing handshake. */
  terminate(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.#unclean ??= 'terminated locally';
    this.setState(ReadyState.CLOSING);
    // Frames sent earlier in this tick are corked until its end: they go to the kernel first,
    // as they would have without corking.
    this.sender.flush();
    this.socket.destroy();
  }

  /** Complete messages as they arrive (receive mode 'message'); a slow loop pauses the socket. */
  messages(): AsyncIterableIterator<ReceivedMessage> {
    if (this.#receiveMode !== 'message') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, "messages() needs receiveMode 'message'");
    if (this.#queue !== null && !this.#queue.ended) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'messages() already has a consumer');
    this.#queue = new MessageQueue<ReceivedMessage>(MESSAGE_QUEUE_LIMIT, this.#link);
    if (this.readyState === ReadyState.CLOSED) this.#queue.end();
    return this.#queue;
  }

  /** Each message as a stream, as it arrives (receive mode 'stream'). */
  incoming(): AsyncIterableIterator<IncomingMessage> {
    if (this.#receiveMode !== 'stream') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, "incoming() needs receiveMode 'stream'");
    if (this.#streamQueue !== null && !this.#streamQueue.ended) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'incoming() already has a consumer');
    this.#streamQueue = new MessageQueue<IncomingMessage>(1, this.#link);
    if (this.readyState === ReadyState.CLOSED) this.#streamQueue.end();
    return this.#streamQueue;
  }

  // MessageSink (from the assembler, through the link object)

  #onMessageBegin(isBinary: boolean): void {
    this.#isBinary = isBinary;
    if (this.#receiveMode === 'stream') {
      const stream = new IncomingMessage(isBinary, this.#link, STREAM_HIGH_WATER_MARK);
      this.#stream = stream;
      this.emit('messageStream', stream);
      this.#streamQueue?.push(stream);
    }
    this.emit('messageBegin', isBinary);
    this.#handler?.onMessageBegin?.(isBinary);
  }

  #onFrameBegin(length: number, fin: boolean, opcode: number): void {
    // A whole message in one frame that spans chunks: allocate it once (its size passed the
    // limits already) and let the parser unmask into it as the chunks arrive, rather than
    // keeping the chunks and copying them together at the end. Only up to RECEIVE_INTO_MAX:
    // the buffer exists before its bytes do, so a peer announcing large frames and sending
    // nothing must not make every connection reserve up to maxMessagePayloadSize.
    if (
      fin &&
      opcode !== Opcode.CONTINUATION &&
      length > 0 &&
      length <= RECEIVE_INTO_MAX &&
      this.#stream === null &&
      this.#receiveMode === 'message' &&
      !this.#assembler.frameInHand
    ) {
      const whole = Buffer.allocUnsafe(length);
      if (this.#assembler.receiveFrameInto(whole, 0)) this.#whole = whole;
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
    if (this.#stream !== null) {
      if (!this.#stream.push(chunk)) this.#assembler.pause(PauseReason.CONSUMER);
      return;
    }
    if (this.#receiveMode === 'stream') return;
    this.#size += chunk.length;
    if (this.#whole !== null) return;
    if (this.#firstChunk === null) this.#firstChunk = chunk;
    else (this.#chunks ??= [this.#firstChunk]).push(chunk);
  }

  #onFrameEnd(): void {
    this.emit('frameEnd');
    this.#handler?.onFrameEnd?.();
  }

  #onMessageEnd(): void {
    this.emit('messageEnd');
    this.#handler?.onMessageEnd?.();
    const stream = this.#stream;
    if (stream !== null) {
      this.#stream = null;
      stream.push(null);
      return;
    }
    if (this.#receiveMode === 'stream') return;
    const chunks = this.#chunks;
    const data = this.#whole ?? (chunks !== null ? Buffer.concat(chunks, this.#size) : (this.#firstChunk ?? EMPTY));
    this.#whole = null;
    this.#firstChunk = null;
    this.#chunks = null;
    this.#size = 0;
    const isBinary = this.#isBinary;
    this.emit('message', data, isBinary);
    this.#handler?.onMessage?.(data, isBinary);
    this.#queue?.push({ data, isBinary });
  }

  #onPing(payload: Buffer): void {
    if (this.readyState === ReadyState.OPEN) this.sender.sendControl(Opcode.PONG, payload);
    this.emit('ping', payload);
    this.#handler?.onPing?.(payload);
  }

  #onPong(payload: Buffer): void {
    this.autoPingAnswered(payload);
    this.emit('pong', payload);
    this.#handler?.onPong?.(payload);
  }

  #onCloseFrame(code: number, reason: string): void {
    this.#closeReceived = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.stopAutoPing();
    this.#clearCloseTimer();
    this.socket.resume();
    const server = this.role === 'server';
    if (!this.closeSent) {
      this.closeSent = true;
      this.setState(ReadyState.CLOSING);
      // Echo the code (RFC 6455 section 5.5.1); a close without one is echoed without one.
      this.sender.sendClose(code === CloseCode.NO_STATUS ? EMPTY : closePayload(code, ''), server);
    } else if (server) {
      this.sender.endSocket();
    }
    // The server closes TCP first; a client gives it closeTimeout to do so.
    this.#armCloseTimer(server ? 'the client did not close TCP in time' : 'the server did not close TCP in time');
  }

  /** Fails the connection: the one place errors become a close frame and a dropped TCP connection. */
  protected override fail(error: Error): void {
    if (this.readyState === ReadyState.CLOSED || this.#failure !== null) return;
    this.#failure = error;
    this.#assembler.stop();
    this.stopAutoPing();
    this.#emitError(error);
    this.setState(ReadyState.CLOSING);
    const code = isWampkitError(error) ? error.closeCode : undefined;
    log.info(() => `${this.role} connection with ${this.peer} failed${code === undefined ? '' : ` with close code ${code}`}: ${error.message}`);
    if (code === undefined) {
      this.socket.destroy();
      return;
    }
    const payload = this.closeSent ? null : closePayload(code, shortReason(error.message));
    this.closeSent = true;
    this.sender.abort(payload);
    // Reading may be paused (inflate, slow consumer): read on, discarding, to see the TCP close.
    this.socket.resume();
    this.#armCloseTimer(null);
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.#handler?.onError?.(error);
  }

  #armCloseTimer(uncleanReason: string | null): void {
    this.#clearCloseTimer();
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = null;
      if (uncleanReason !== null) this.#unclean ??= uncleanReason;
      this.socket.destroy();
    }, this.#closeTimeout);
  }

  #clearCloseTimer(): void {
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
  }

  // Socket listeners: one function shared by all connections (no closures per connection).
  static #socketOnData(this: OwnedSocket, chunk: Buffer): void {
    const connection = this[kConnection]!;
    connection.trafficSeen = true;
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
    this[kConnection]!.#onSocketEnd();
  }
  static #socketOnError(this: OwnedSocket, error: Error): void {
    this[kConnection]!.#onSocketError(error);
  }
  static #socketOnClose(this: OwnedSocket): void {
    this[kConnection]!.#onSocketClose();
  }

  /**
   * The assembler's sink, the message queues' flow control and the streams' read hook, as one
   * small object: these are internals, kept off the connection's public surface.
   */
  static {
    // One-line forwarders: each is the sink callback of the same name below.
    class Link implements ConnectionLink {
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
      onProtocolError(error: WampkitError): void { this.#c.fail(error); }
      onReadPaused(paused: boolean): void {
        if (paused) this.#c.socket.pause();
        else this.#c.socket.resume();
      }
      onQueueFull(): void { this.#c.#assembler.pause(PauseReason.CONSUMER); }
      onQueueRoom(): void { this.#c.#assembler.resume(PauseReason.CONSUMER); }
      onQueueAbandoned(): void { this.#c.#assembler.resume(PauseReason.CONSUMER); }
      onStreamRead(): void { this.#c.#assembler.resume(PauseReason.CONSUMER); }
    }
    createLink = (connection) => new Link(connection);
  }

  #onSocketEnd(): void {
    // The peer closed its side; without a close frame first this is an abnormal closure.
    this.setState(ReadyState.CLOSING);
    this.socket.end();
  }


  #onSocketError(error: Error): void {
    if (this.#failure === null && this.readyState !== ReadyState.CLOSED) {
      this.#failure = error;
      this.#emitError(error);
    }
    this.socket.destroy();
  }


  #onSocketClose(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.setState(ReadyState.CLOSED);
    this.#clearCloseTimer();
    this.stopAutoPing();
    this.#assembler.stop();
    this.#codec?.close();
    const received = this.#closeReceived;
    const failure = this.#failure;
    const info: CloseInfo = {
      wasClean: received && this.closeSent && failure === null && this.#unclean === null,
      code: received ? this.#closeCode : CloseCode.ABNORMAL,
      reason: received ? this.#closeReason : (failure?.message ?? this.#unclean ?? 'connection closed without a close frame'),
    };
    this.#closeInfo = info;
    log.debug(() => `${this.role} connection with ${this.peer} closed: ${info.code}${info.reason === '' ? '' : ` ${JSON.stringify(info.reason)}`}, ${info.wasClean ? 'clean' : 'not clean'}`);
    const ended = wsError(WebSocketErrorCode.NOT_OPEN, `connection closed (${info.code}) before the message ended`);
    this.#stream?.destroy(ended);
    this.#stream = null;
    this.#queue?.end();
    this.#streamQueue?.end();
    this.connectionClosed();
    this.emit('close', info);
    this.#handler?.onClose?.(info.wasClean, info.code, info.reason);
    this.#resolveClosed?.(info);
    this.#resolveClosed = null;
  }

}

/** A close reason fits in 123 bytes; longer explanations go to the 'error' event only. */
function shortReason(message: string): string {
  return Buffer.byteLength(message) <= MAX_CONTROL_PAYLOAD - 2 ? message : '';
}
