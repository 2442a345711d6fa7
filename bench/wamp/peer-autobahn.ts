/** Autobahn|JS (npm `autobahn`, over its bundled `ws`) as a bench peer. */
import { createRequire } from 'node:module';
import { EVENT_ARGS, JOIN_TIMEOUT_MS, REALM, within, type BenchPeer, type BenchSession, type SerializerName } from './peer-types.js';

/** The slice of Autobahn|JS's untyped API the bench uses. */
interface AutobahnSession {
  register(procedure: string, endpoint: (args: number[]) => number): PromiseLike<unknown>;
  call(procedure: string, args: unknown[]): PromiseLike<unknown>;
  subscribe(topic: string, handler: () => void): PromiseLike<unknown>;
  publish(topic: string, args: unknown[], kwargs: object, options: { acknowledge: boolean }): PromiseLike<unknown>;
}
interface AutobahnConnection {
  onopen: (session: AutobahnSession) => void;
  onclose: (reason: string) => boolean;
  open(): void;
  close(): void;
}
interface Autobahn {
  Connection: new (options: object) => AutobahnConnection;
  serializer: Record<'JSONSerializer' | 'MsgpackSerializer' | 'CBORSerializer', new () => object>;
}

const SERIALIZER_CLASS = { json: 'JSONSerializer', msgpack: 'MsgpackSerializer', cbor: 'CBORSerializer' } as const;

export function autobahnPeer(): BenchPeer {
  const autobahn = createRequire(import.meta.url)('autobahn') as Autobahn;
  return {
    async open(url: string, serializer: SerializerName, onLost: (reason: string) => void): Promise<BenchSession> {
      let connection: AutobahnConnection | undefined;
      let joined = false;
      let closing = false;
      const session = await within(
        new Promise<AutobahnSession>((resolve, reject) => {
          connection = new autobahn.Connection({
            transports: [{ type: 'websocket', url, serializers: [new autobahn.serializer[SERIALIZER_CLASS[serializer]]()] }],
            realm: REALM,
            max_retries: 0,
          });
          connection.onopen = (s) => {
            joined = true;
            resolve(s);
          };
          connection.onclose = (reason) => {
            if (!joined) reject(new Error(`autobahn connection closed: ${reason}`));
            else if (!closing) onLost(`autobahn connection closed: ${reason}`);
            return true; // no reconnect
          };
          connection.open();
        }),
        JOIN_TIMEOUT_MS,
        'autobahn join',
      );
      return {
        register: async (procedure) => {
          await session.register(procedure, (args) => args[0]! + args[1]!);
        },
        call: (procedure, n) => Promise.resolve(session.call(procedure, [n, 1])),
        subscribe: async (topic, onEvent) => {
          await session.subscribe(topic, onEvent);
        },
        publish: async (topic) => {
          await session.publish(topic, EVENT_ARGS as unknown[], {}, { acknowledge: true });
        },
        close: () => {
          closing = true;
          connection?.close();
        },
      };
    },
  };
}
