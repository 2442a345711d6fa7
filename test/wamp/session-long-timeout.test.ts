// The client callee side of a forwarded call timeout above 2^31-1 ms: it must not answer
// wamp.error.timeout after about 1 ms (setTimeout overflow) but run the endpoint to its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { delay, withTimeout } from '../router/helpers.js';

const M = { HELLO: 1, WELCOME: 2, ERROR: 8, REGISTER: 64, REGISTERED: 65, INVOCATION: 68, YIELD: 70 } as const;

test('a forwarded INVOCATION timeout of 2^31 ms does not end the invocation early', async () => {
  const [client, server] = createMemoryPair();
  const inbox: unknown[][] = [];
  server.on('message', (m) => void inbox.push(m as unknown[]));
  const session = new ApplicationSession({ realm: 'realm1' });
  session.attach(client);
  const next = async (type: number): Promise<unknown[]> => {
    for (let i = 0; i < 2000; i++) {
      const at = inbox.findIndex((m) => m[0] === type);
      if (at >= 0) return inbox.splice(at, 1)[0]!;
      await delay(5);
    }
    throw new Error(`no message ${type}; got ${JSON.stringify(inbox)}`);
  };
  await next(M.HELLO);
  server.send([M.WELCOME, 4242, { roles: { broker: {}, dealer: { features: { call_timeout: true } } } }]);
  for (let i = 0; i < 2000 && !session.isOpen; i++) await delay(5);
  const pending = session.register('com.long', async () => {
    await delay(30);
    return 'finished';
  }, { forwardTimeout: true });
  const reg = await next(M.REGISTER);
  server.send([M.REGISTERED, reg[1], 7]);
  await withTimeout(pending, 5000, 'register');
  server.send([M.INVOCATION, 40, 7, { timeout: 2 ** 31 }, []]);
  const answer = await next(M.YIELD);
  assert.deepEqual(answer, [M.YIELD, 40, {}, ['finished']]);
  assert.deepEqual(inbox.filter((m) => m[0] === M.ERROR), [], 'no early wamp.error.timeout');
  server.close();
  for (let i = 0; i < 400 && session.isConnected; i++) await delay(5);
});
