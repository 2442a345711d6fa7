/**
 * The physical reference: the same bytes a WAMP exchange puts on the wire, forwarded by a bare
 * WebSocket server (our engine, no WAMP work at all), so every table can show how close WAMP
 * gets to the wire. The server forwards like a router does: a caller's message goes to the
 * callee and the callee's answer back to the caller (four messages through the server per call,
 * as CALL, INVOCATION, YIELD, RESULT are); a publisher's message goes to every subscriber of
 * its topic, and the same bytes come back to the publisher as its acknowledgement (one in, N + 1
 * out, as PUBLISH, N EVENTs and PUBLISHED are).
 *
 * Roles and topics are set by text control messages that begin with '#' (no WAMP message does:
 * JSON ones begin with '[', MessagePack and CBOR arrays with 0x9_ / 0x8_), each answered '#ok'.
 */
import type { WebSocketConnection } from '../../runtime/websocket/index.js';
import type { SerializersApi, WebSocketApi } from './runtime.js';
import type { BenchPeer, BenchSession, SerializerName } from './peer-types.js';
import { PROCEDURE } from './peer-types.js';

export const WireControl = {
  /** The first byte of every control message: '#'. */
  MARK: 0x23,
  OK: '#ok',
  CALLEE: '#callee',
  CALLER: '#caller',
  SUBSCRIBE: '#sub ',
  PUBLISH_TO: '#pub ',
} as const;

/** WAMP-shaped sample messages, with IDs of realistic sizes: the bytes the wire run sends. */
const SAMPLE = {
  call: [48, 4_321_987, {}, PROCEDURE, [4_321_987, 1]],
  yield: [70, 4_321_987, {}, [4_321_988]],
  event: [36, 5_512_345_678_901, 6_612_345_678_901, {}, [1, 'x']],
} as const;

export interface WireBytes {
  call: Buffer;
  yield: Buffer;
  event: Buffer;
  binary: boolean;
}

export function wireBytes(serializers: SerializersApi, name: SerializerName): WireBytes {
  const serializer = serializers.serializerByName(name);
  if (serializer === undefined) throw new Error(`no serializer ${name}`);
  const bytes = (m: readonly unknown[]): Buffer => {
    const out = serializer.serialize(m as unknown[]);
    return typeof out === 'string' ? Buffer.from(out, 'utf8') : Buffer.from(out);
  };
  return { call: bytes(SAMPLE.call), yield: bytes(SAMPLE.yield), event: bytes(SAMPLE.event), binary: serializer.isBinary };
}

const isControl = (data: Buffer, isBinary: boolean): boolean => !isBinary && data.length > 0 && data[0] === WireControl.MARK;

/** The forwarding server. Resolves to its ws:// URL and a close function. */
export async function startWireServer(ws: WebSocketApi): Promise<{ url: string; close(): Promise<void> }> {
  const server = new ws.WebSocketServer({});
  const ok = Buffer.from(WireControl.OK);
  let callee: WebSocketConnection | null = null;
  let caller: WebSocketConnection | null = null;
  const topics = new Map<string, Set<WebSocketConnection>>();
  server.on('error', () => {});
  server.on('connection', (conn) => {
    let audience: Set<WebSocketConnection> | null = null;
    let forward: ((data: Buffer, isBinary: boolean) => void) | null = null;
    conn.on('error', () => {});
    conn.on('close', () => {
      if (callee === conn) callee = null;
      if (caller === conn) caller = null;
      for (const set of topics.values()) set.delete(conn);
    });
    conn.on('message', (data, isBinary) => {
      if (isControl(data, isBinary)) {
        const text = data.toString('utf8');
        if (text === WireControl.CALLEE) {
          callee = conn;
          forward = (d, b) => void caller?.sendMessage(d, b);
        } else if (text === WireControl.CALLER) {
          caller = conn;
          forward = (d, b) => void callee?.sendMessage(d, b);
        } else if (text.startsWith(WireControl.SUBSCRIBE)) {
          const topic = text.slice(WireControl.SUBSCRIBE.length);
          const set = topics.get(topic) ?? new Set<WebSocketConnection>();
          topics.set(topic, set);
          set.add(conn);
        } else if (text.startsWith(WireControl.PUBLISH_TO)) {
          const topic = text.slice(WireControl.PUBLISH_TO.length);
          audience = topics.get(topic) ?? new Set<WebSocketConnection>();
          topics.set(topic, audience);
          forward = (d, b) => {
            for (const s of audience!) s.sendMessage(d, b);
            conn.sendMessage(d, b);
          };
        }
        conn.sendMessage(ok, false);
        return;
      }
      forward?.(data, isBinary);
    });
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return { url: `ws://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** A wire client: one bare WebSocket connection playing one role with the sample bytes. */
export function wirePeer(ws: WebSocketApi, serializers: SerializersApi): BenchPeer {
  return {
    async open(url: string, serializer: SerializerName, onLost: (reason: string) => void): Promise<BenchSession> {
      const bytes = wireBytes(serializers, serializer);
      const conn = await ws.connect(url, {});
      let closing = false;
      conn.on('error', () => {});
      conn.on('close', () => {
        if (!closing) onLost('wire connection closed');
      });
      const controls: Array<() => void> = [];
      // Answers come back in the order the requests went out (one callee, one server): a FIFO.
      const answers: Array<() => void> = [];
      let onData: () => void = () => answers.shift()?.();
      conn.on('message', (data, isBinary) => {
        if (isControl(data, isBinary)) controls.shift()?.();
        else onData();
      });
      const control = (text: string): Promise<void> =>
        new Promise<void>((resolve) => {
          controls.push(resolve);
          conn.sendMessage(text, false);
        });
      let role: string | null = null;
      const answered = (): Promise<void> => new Promise<void>((resolve) => answers.push(resolve));
      return {
        register: async () => {
          await control(WireControl.CALLEE);
          onData = () => void conn.sendMessage(bytes.yield, bytes.binary);
        },
        call: async () => {
          if (role !== WireControl.CALLER) {
            role = WireControl.CALLER;
            await control(WireControl.CALLER);
          }
          const done = answered();
          conn.sendMessage(bytes.call, bytes.binary);
          await done;
        },
        subscribe: async (topic, onEvent) => {
          await control(`${WireControl.SUBSCRIBE}${topic}`);
          onData = onEvent;
        },
        publish: async (topic) => {
          const target = `${WireControl.PUBLISH_TO}${topic}`;
          if (role !== target) {
            role = target;
            await control(target);
          }
          const done = answered();
          conn.sendMessage(bytes.event, bytes.binary);
          await done;
        },
        close: () => {
          closing = true;
          conn.terminate();
        },
      };
    },
  };
}
