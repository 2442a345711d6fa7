/** What the conformance suite needs from a WebSocket implementation under test. */

export interface DeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

export interface Limits {
  maxFramePayloadSize?: number;
  maxMessagePayloadSize?: number;
  autoFragmentSize?: number;
}

export interface EchoServerOptions extends Limits {
  /** Accept permessage-deflate (true: defaults; an object: what the server accepts). */
  perMessageDeflate?: boolean | DeflateOptions;
}

export interface EchoClientOptions extends Limits {
  /** Offer permessage-deflate (true: the implementation's default offer). */
  perMessageDeflate?: boolean | DeflateOptions;
}

export interface CloseReport {
  wasClean: boolean;
  code: number;
  reason: string;
}

export interface EchoServerHandle {
  readonly port: number;
  /** Close reports of every connection that ended, in order. */
  readonly closes: CloseReport[];
  close(): Promise<void>;
}

export interface EchoClientHandle {
  /** Resolves when the client's connection reports its close. */
  readonly closed: Promise<CloseReport>;
  /** Sends a message from the client side (for cases where the client speaks first). */
  send(data: Buffer, binary: boolean): void;
  /** Teardown: drop whatever is left. */
  destroy(): void;
}

/** An implementation under test: an echo server and an echo client, both echoing every message with its type. */
export interface EngineTarget {
  readonly name: string;
  startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle>;
  connectEchoClient(url: string, options: EchoClientOptions): Promise<EchoClientHandle>;
}
