// A WAMP peer over a real socket that can stop reading (its socket paused, so the router's
// writes back up as they would behind a stalled client) and start again: over WebSocket (the
// `ws` package, so the client side is not the engine under test) or RawSocket. Messages are
// raw arrays in wamp.2.json; the peer answers nothing by itself.
import WebSocket from 'ws';
import { connectRawSocketTransport, type RawSocketTransport } from '../../runtime/transports/rawsocket.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

export type SocketKind = 'websocket' | 'rawsocket';

export interface PeerClosed {
  /** The WebSocket close code the peer saw (RawSocket has none). */
  readonly code?: number;
}

export class SlowPeer {
  readonly kind: SocketKind;
  readonly received: unknown[][] = [];
  readonly closed: Promise<PeerClosed>;
  sessionId = 0;
  #request = 0;
  #send: (m: unknown[]) => void;
  #pause: () => void;
  #resume: () => void;
  #end: () => void;
  #waiters: Array<() => void> = [];
  #isClosed = false;
  /** Called for each message as it arrives (e.g. a callee answering INVOCATIONs). */
  onMessage: ((m: unknown[]) => void) | null = null;

  private constructor(kind: SocketKind, io: { send(m: unknown[]): void; pause(): void; resume(): void; end(): void }, closed: Promise<PeerClosed>) {
    this.kind = kind;
    this.#send = io.send;
    this.#pause = io.pause;
    this.#resume = io.resume;
    this.#end = io.end;
    this.closed = closed.finally(() => {
      this.#isClosed = true;
      this.#wake();
    });
  }

  static async connect(kind: SocketKind, address: string): Promise<SlowPeer> {
    let peer!: SlowPeer;
    const push = (m: unknown[]): void => {
      peer.received.push(m);
      peer.onMessage?.(m);
      peer.#wake();
    };
    if (kind === 'websocket') {
      const ws = new WebSocket(address, ['wamp.2.json']);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('error', () => {});
      const closed = new Promise<PeerClosed>((resolve) => ws.once('close', (code) => resolve({ code })));
      ws.on('message', (data: Buffer) => push(JSON.parse(data.toString()) as unknown[]));
      peer = new SlowPeer(kind, { send: (m) => ws.send(JSON.stringify(m)), pause: () => ws.pause(), resume: () => ws.resume(), end: () => ws.terminate() }, closed);
    } else {
      const transport: RawSocketTransport = await connectRawSocketTransport(address, { serializer: 'json' });
      const closed = new Promise<PeerClosed>((resolve) => transport.once('close', () => resolve({})));
      transport.on('message', (m) => push(m as unknown[]));
      peer = new SlowPeer(kind, {
        send: (m) => transport.send(m), pause: () => transport.socket.pause(), resume: () => transport.socket.resume(), end: () => transport.socket.destroy(),
      }, closed);
    }
    return peer;
  }

  /** HELLO, WELCOME; resolves to the session ID. */
  async join(roles: Record<string, unknown> = { caller: {}, callee: {}, publisher: {}, subscriber: {} }): Promise<number> {
    this.send([M.HELLO, 'realm1', { roles }]);
    const welcome = await this.next((m) => m[0] === M.WELCOME || m[0] === M.ABORT);
    if (welcome[0] !== M.WELCOME) throw new Error(`not welcomed: ${JSON.stringify(welcome)}`);
    this.sessionId = welcome[1] as number;
    return this.sessionId;
  }

  req(): number {
    return ++this.#request;
  }

  send(m: unknown[]): void {
    this.#send(m);
  }

  /** Stops reading: the socket is paused, what the router sends waits in the kernel, then in the router. */
  pause(): void {
    this.#pause();
  }

  resume(): void {
    this.#resume();
  }

  end(): void {
    this.#end();
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The first received message matching `pred` (removed from `received`). */
  async next(pred: (m: unknown[]) => boolean, timeoutMs = 8000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 100_000; round++) {
      const at = this.received.findIndex(pred);
      if (at >= 0) return this.received.splice(at, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0 || this.#isClosed) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error(`${this.kind} peer: no matching message (${this.#isClosed ? 'closed' : 'timed out'}); ${this.received.length} received`);
  }

  /** Subscribes; resolves to the subscription ID. */
  async subscribe(topic: string): Promise<number> {
    const r = this.req();
    this.send([M.SUBSCRIBE, r, {}, topic]);
    return (await this.next((m) => m[0] === M.SUBSCRIBED && m[1] === r))[2] as number;
  }

  /** Registers; resolves to the registration ID. */
  async register(procedure: string, options: Record<string, unknown> = {}): Promise<number> {
    const r = this.req();
    this.send([M.REGISTER, r, options, procedure]);
    return (await this.next((m) => m[0] === M.REGISTERED && m[1] === r))[2] as number;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
