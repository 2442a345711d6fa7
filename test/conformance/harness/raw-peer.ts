/**
 * One end of a WebSocket connection that speaks raw bytes: the conformance suite's stand-in for
 * Autobahn's fuzzing peer. It sends crafted frames and checks, frame by frame, what the engine
 * under test answers, with every wait bounded.
 */
import type { Socket } from 'node:net';
import assert from 'node:assert/strict';
import { CloseCode, Opcode } from '../../../runtime/websocket/constants.js';
import { RawDeflater, RawInflater, type DirectionParams } from './deflate.js';
import { FrameReader, closeCodeOf, closePayload, encodeFrame, isControl, toBytes, type FrameSpec, type ReceivedFrame } from './wire.js';

export type RawRole = 'client' | 'server';

/** Default bound on any wait for something that should happen. */
export const WAIT_MS = 5_000;
/** How long to wait to be reasonably sure that something does NOT happen. */
export const QUIET_MS = 150;

export interface NegotiatedDeflate {
  /** What the raw peer compresses with. */
  send: DirectionParams;
  /** What the engine under test compresses with. */
  receive: DirectionParams;
}

export interface ReceivedMessage {
  binary: boolean;
  payload: Buffer;
  compressed: boolean;
  frames: ReceivedFrame[];
  /** Control frames that arrived between the message's fragments. */
  interleaved: ReceivedFrame[];
}

export class RawPeer {
  readonly socket: Socket;
  readonly role: RawRole;
  /** Extensions header of the handshake response ('' when none). */
  readonly extensions: string;
  /** Frames whose mask bit broke the rule for the sender's role (RFC 6455 section 5.1). */
  readonly maskViolations: ReceivedFrame[] = [];
  #reader = new FrameReader();
  #frames: ReceivedFrame[] = [];
  #wake: (() => void) | null = null;
  #ended = false;
  #endPromise: Promise<void>;
  #closeSent = false;
  #deflater: RawDeflater | null = null;
  #inflater: RawInflater | null = null;

  constructor(socket: Socket, head: Buffer, role: RawRole, extensions: string, deflate: NegotiatedDeflate | null) {
    this.socket = socket;
    this.role = role;
    this.extensions = extensions;
    if (deflate !== null) {
      this.#deflater = new RawDeflater(deflate.send);
      this.#inflater = new RawInflater(deflate.receive);
    }
    socket.setNoDelay(true);
    this.#endPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#ended = true;
        this.#deflater?.close();
        this.#inflater?.close();
        this.#notify();
        resolve();
      });
    });
    // Writes racing the engine's drop fail with EPIPE/ECONNRESET; that is expected here.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    if (head.length > 0) this.#onData(head);
  }

  get ended(): boolean {
    return this.#ended;
  }

  #onData(chunk: Buffer): void {
    for (const frame of this.#reader.push(chunk)) {
      const mustBeMasked = this.role === 'server';
      if (frame.masked !== mustBeMasked) this.maskViolations.push(frame);
      this.#frames.push(frame);
    }
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  // ---- sending ---------------------------------------------------------------------------

  encode(spec: FrameSpec): Buffer {
    return encodeFrame(spec, spec.mask ?? this.role === 'client');
  }

  /** Writes bytes, optionally in chunks of `chunkSize`, each its own write (and TCP segment). */
  async write(bytes: Buffer, chunkSize = 0): Promise<void> {
    if (this.#ended) return;
    if (chunkSize <= 0 || chunkSize >= bytes.length) {
      await this.#writeOne(bytes);
      return;
    }
    for (let i = 0; i < bytes.length && !this.#ended; i += chunkSize) {
      await this.#writeOne(bytes.subarray(i, i + chunkSize));
    }
  }

  #writeOne(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.#ended || this.socket.destroyed) {
        resolve();
        return;
      }
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Sends frames as one write (or in chunks of `chunkSize` bytes). */
  async send(specs: FrameSpec | FrameSpec[], chunkSize = 0): Promise<void> {
    const list = Array.isArray(specs) ? specs : [specs];
    for (const spec of list) if (spec.opcode === Opcode.CLOSE) this.#closeSent = true;
    await this.write(Buffer.concat(list.map((s) => this.encode(s))), chunkSize);
  }

  sendText(text: string | Buffer, chunkSize = 0): Promise<void> {
    return this.send({ opcode: Opcode.TEXT, payload: text }, chunkSize);
  }

  sendBinary(data: Buffer, chunkSize = 0): Promise<void> {
    return this.send({ opcode: Opcode.BINARY, payload: data }, chunkSize);
  }

  sendClose(code?: number, reason: Buffer | string = ''): Promise<void> {
    return this.send({ opcode: Opcode.CLOSE, payload: code === undefined ? Buffer.alloc(0) : closePayload(code, reason) });
  }

  /** Compresses one message and sends it in `fragments` frames (RSV1 only on the first). */
  async sendCompressed(message: Buffer, binary: boolean, fragments = 1): Promise<void> {
    assert.ok(this.#deflater !== null, 'permessage-deflate was not negotiated');
    const compressed = await this.#deflater.compress(message);
    await this.send(fragmentSpecs(compressed, binary ? Opcode.BINARY : Opcode.TEXT, fragments, true));
  }

  // ---- receiving -------------------------------------------------------------------------

  /** The next frame, or an assertion error naming what happened instead. */
  async nextFrame(timeoutMs = WAIT_MS): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return frame;
      if (this.#ended) assert.fail('connection ended while a frame was expected');
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Reads one whole data message (inflated when compressed), collecting interleaved control frames. */
  async readMessage(timeoutMs = WAIT_MS): Promise<ReceivedMessage> {
    const frames: ReceivedFrame[] = [];
    const interleaved: ReceivedFrame[] = [];
    for (;;) {
      const frame = await this.nextFrame(timeoutMs);
      if (isControl(frame.opcode)) {
        if (frame.opcode === Opcode.CLOSE) {
          assert.fail(`close ${String(closeCodeOf(frame))} "${frame.payload.subarray(2).toString()}" arrived while a message was expected`);
        }
        interleaved.push(frame);
        continue;
      }
      if (frames.length === 0) assert.notEqual(frame.opcode, Opcode.CONTINUATION, 'message started with a continuation frame');
      else assert.equal(frame.opcode, Opcode.CONTINUATION, 'new data frame inside an open message');
      assert.ok(!frame.rsv2 && !frame.rsv3, 'RSV2/RSV3 set by the engine');
      if (frames.length > 0) assert.ok(!frame.rsv1, 'RSV1 set on a continuation frame');
      frames.push(frame);
      if (frame.fin) break;
    }
    const first = frames[0] as ReceivedFrame;
    let payload = frames.length === 1 ? first.payload : Buffer.concat(frames.map((f) => f.payload));
    if (first.rsv1) {
      assert.ok(this.#inflater !== null, 'RSV1 set without permessage-deflate');
      payload = await this.#inflater.inflate(payload);
    }
    return { binary: first.opcode === Opcode.BINARY, payload, compressed: first.rsv1, frames, interleaved };
  }

  /** Reads the next message and asserts it echoes `expected` with the same type. */
  async expectEcho(expected: Buffer | string, binary: boolean, timeoutMs = WAIT_MS): Promise<ReceivedMessage> {
    const message = await this.readMessage(timeoutMs);
    assert.equal(message.binary, binary, `echo has the wrong type (binary=${String(message.binary)})`);
    const want = toBytes(expected);
    assert.equal(message.payload.length, want.length, 'echo length differs');
    assert.ok(message.payload.equals(want), 'echo bytes differ');
    return message;
  }

  /** The next frame must be a close; returns its code (null when empty) and reason. */
  async expectCloseFrame(timeoutMs = WAIT_MS): Promise<{ code: number | null; reason: Buffer }> {
    const frame = await this.nextFrame(timeoutMs);
    assert.equal(frame.opcode, Opcode.CLOSE, `expected a close frame, got opcode ${frame.opcode} (${frame.payload.length} B)`);
    assert.ok(frame.fin, 'close frame without FIN');
    assert.notEqual(frame.payload.length, 1, 'close frame with a 1-byte payload');
    return { code: closeCodeOf(frame), reason: frame.payload.subarray(2) };
  }

  /**
   * The engine must fail the connection: a close frame with `code`, then the TCP connection
   * ends within the bound (after we echo the close, as a well-behaved peer does).
   */
  async expectFail(code: number, timeoutMs = WAIT_MS): Promise<void> {
    const { code: got, reason } = await this.expectCloseFrame(timeoutMs);
    assert.equal(got, code, `expected close ${code}, got ${String(got)} "${reason.toString()}"`);
    await this.finishClose(timeoutMs);
  }

  /** After receiving a close: echo it (once) and, as the server, close TCP; then wait for the end. */
  async finishClose(timeoutMs = WAIT_MS): Promise<void> {
    if (!this.#closeSent) await this.sendClose(CloseCode.NORMAL).catch(() => {});
    if (this.role === 'server') this.socket.end();
    await this.waitEnd(timeoutMs);
  }

  /** We start a clean close; the engine must echo `echoCode` (default: the same code) and end. */
  async closeHandshake(code: number | null = CloseCode.NORMAL, reason = '', echoCodes: (number | null)[] = [code]): Promise<void> {
    await this.sendClose(code ?? undefined, reason);
    const { code: got } = await this.expectCloseFrame();
    assert.ok(echoCodes.includes(got), `close echo ${String(got)}, expected one of ${echoCodes.join(', ')}`);
    if (this.role === 'server') this.socket.end();
    await this.waitEnd();
  }

  /** Asserts that no frame arrives within `ms`. */
  async expectQuiet(ms = QUIET_MS): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const frame = this.#frames[0];
    assert.equal(frame, undefined, frame === undefined ? '' : `unexpected frame opcode ${frame.opcode} (${frame.payload.length} B)`);
  }

  /** Waits until the TCP connection has closed. */
  async waitEnd(timeoutMs = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.#endPromise.then(() => 'ended' as const), timeout]);
    clearTimeout(timer);
    assert.equal(result, 'ended', `TCP connection still open ${timeoutMs} ms later`);
  }

  /** Test teardown: whatever state we are in, release the socket. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Splits a payload into `count` frames of one message; RSV1 on the first when compressed. */
export function fragmentSpecs(payload: Buffer, opcode: number, count: number, compressed = false): FrameSpec[] {
  const n = Math.max(1, Math.min(count, Math.max(1, payload.length)));
  const size = Math.ceil(payload.length / n);
  const specs: FrameSpec[] = [];
  for (let i = 0; i < n; i++) {
    specs.push({
      opcode: i === 0 ? opcode : Opcode.CONTINUATION,
      payload: payload.subarray(i * size, Math.min(payload.length, (i + 1) * size)),
      fin: i === n - 1,
      rsv1: compressed && i === 0,
    });
  }
  return specs;
}

/** Splits a payload into frames of at most `size` bytes. */
export function fragmentsOfSize(payload: Buffer, opcode: number, size: number): FrameSpec[] {
  return fragmentSpecs(payload, opcode, Math.max(1, Math.ceil(payload.length / size)));
}
