/**
 * What every client library offers the WAMP bench: one session on one WebSocket, with the four
 * operations the workloads need. Each library's adapter (peer-*.ts) maps these onto its own API,
 * with the same payloads everywhere: a call is add2(n, 1) returning n + 1, an event carries
 * [1, 'x'], and every publish is acknowledged (the publisher's flow control).
 */
export type SerializerName = 'json' | 'msgpack' | 'cbor';
export const SERIALIZER_NAMES: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];

export type ClientLib = 'wampkit' | 'autobahn' | 'wampy' | 'wire';
export const CLIENT_LIBS: readonly ClientLib[] = ['wampkit', 'autobahn', 'wampy', 'wire'];

/** ours: the embedded router; fox: fox-wamp; wire: bare WebSocket forwarding (./wire.ts). */
export type RouterImpl = 'ours' | 'fox' | 'wire';
export const ROUTER_IMPLS: readonly RouterImpl[] = ['ours', 'fox', 'wire'];

/**
 * The serializers each side speaks over WebSocket. fox-wamp negotiates only wamp.2.json (its
 * lib/wamp/transport.js refuses other subprotocols), so its MessagePack and CBOR cells say so.
 */
export const SERIALIZERS_OF: Record<RouterImpl | ClientLib, readonly SerializerName[]> = {
  ours: SERIALIZER_NAMES,
  fox: ['json'],
  wire: SERIALIZER_NAMES,
  wampkit: SERIALIZER_NAMES,
  autobahn: SERIALIZER_NAMES,
  wampy: SERIALIZER_NAMES,
};

export const REALM = 'realm1';
export const PROCEDURE = 'bench.add2';
/** The topic whose subscribers are the first `subscribers` sessions. */
export const topicFor = (subscribers: number): string => `bench.e${subscribers}`;
export const EVENT_ARGS: readonly unknown[] = [1, 'x'];

export interface BenchSession {
  /** Registers PROCEDURE as add2. */
  register(procedure: string): Promise<void>;
  /** Calls add2(n, 1). */
  call(procedure: string, n: number): Promise<unknown>;
  subscribe(topic: string, onEvent: () => void): Promise<void>;
  /** An acknowledged publish of EVENT_ARGS: resolves on PUBLISHED. */
  publish(topic: string): Promise<void>;
  close(): void;
}

export interface BenchPeer {
  /**
   * Opens and joins one session on REALM. `onLost` is told (with the reason) when the session
   * ends without the bench asking, so a row that lost sessions is reported, never counted.
   */
  open(url: string, serializer: SerializerName, onLost: (reason: string) => void): Promise<BenchSession>;
}

/** Rejects after `ms`: every join is bounded. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export const JOIN_TIMEOUT_MS = 30_000;
