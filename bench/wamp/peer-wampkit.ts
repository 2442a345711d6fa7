/** Our client as a bench peer: ApplicationSession over connectWebSocketTransport. */
import type { ClientApi } from './runtime.js';
import { EVENT_ARGS, JOIN_TIMEOUT_MS, REALM, within, type BenchPeer, type BenchSession } from './peer-types.js';

export function wampkitPeer(api: ClientApi): BenchPeer {
  const { ApplicationSession, connectWebSocketTransport } = api;
  return {
    async open(url, serializer, onLost): Promise<BenchSession> {
      const session = new ApplicationSession({ realm: REALM });
      const joined = new Promise<void>((resolve, reject) => {
        session.once('join', () => resolve());
        session.once('leave', (details) => reject(new Error(`left before joining: ${details.reason}`)));
      });
      session.attach(await connectWebSocketTransport(url, { serializers: [serializer] }));
      await within(joined, JOIN_TIMEOUT_MS, 'wampkit join');
      let closing = false;
      session.on('leave', (details) => {
        if (!closing) onLost(`wampkit session left: ${details.reason}${details.message === undefined ? '' : ` (${details.message})`}`);
      });
      const publishOptions = { acknowledge: true };
      return {
        register: async (procedure) => {
          await session.register(procedure, ([x, y]) => (x as number) + (y as number));
        },
        call: (procedure, n) => session.call(procedure, [n, 1]),
        subscribe: async (topic, onEvent) => {
          await session.subscribe(topic, onEvent);
        },
        publish: async (topic) => {
          await session.publish(topic, EVENT_ARGS as unknown[], undefined, publishOptions);
        },
        close: () => {
          closing = true;
          session.disconnect();
        },
      };
    },
  };
}
