/** wampy (npm `wampy`, over `ws`) as a bench peer. wampy acknowledges every publish. */
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
// wampy calls new ws(url, protocols, origin, headers, options); ws reads the third as its options (null: defaults).
import WebSocket from 'ws';
import { EVENT_ARGS, JOIN_TIMEOUT_MS, REALM, within, type BenchPeer, type BenchSession, type SerializerName } from './peer-types.js';

const SERIALIZER = { json: () => new JsonSerializer(), msgpack: () => new MsgpackSerializer(), cbor: () => new CborSerializer() } as const;

export function wampyPeer(): BenchPeer {
  return {
    async open(url: string, serializer: SerializerName, onLost: (reason: string) => void): Promise<BenchSession> {
      let closing = false;
      const wampy = new Wampy(url, {
        realm: REALM,
        ws: WebSocket as never,
        serializer: SERIALIZER[serializer](),
        autoReconnect: false,
        onClose: () => {
          if (!closing) onLost('wampy session closed');
        },
        onError: (error: unknown) => onLost(`wampy error: ${String(error)}`),
      });
      await within(wampy.connect(), JOIN_TIMEOUT_MS, 'wampy join');
      const payload = { argsList: EVENT_ARGS as unknown[] };
      return {
        register: async (procedure) => {
          await wampy.register(procedure, ({ argsList }) => ({ argsList: [(argsList![0] as number) + (argsList![1] as number)] }));
        },
        call: (procedure, n) => wampy.call(procedure, { argsList: [n, 1] }),
        subscribe: async (topic, onEvent) => {
          await wampy.subscribe(topic, onEvent);
        },
        publish: async (topic) => {
          await wampy.publish(topic, payload);
        },
        close: () => {
          closing = true;
          void wampy.disconnect().catch(() => {});
        },
      };
    },
  };
}
