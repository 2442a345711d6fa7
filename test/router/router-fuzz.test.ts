// Random input never crashes the router: each bad session ends in ABORT (or an ERROR reply),
// and a well-behaved session keeps working throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeRouter, joinSession, RawPeer, delay } from './helpers.js';

const TYPES = [1, 2, 3, 4, 5, 6, 8, 16, 17, 32, 33, 34, 35, 36, 48, 49, 50, 64, 65, 66, 67, 68, 69, 70, 337, 999];

const value = fc.oneof(
  fc.integer({ min: -2, max: 2 ** 53 + 2 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('wamp.error.x', 'com.example.topic', 'realm1', '', 'a..b'),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.constantFrom('match', 'acknowledge', 'exclude', 'mode', 'progress', 'receive_progress', 'x'), fc.oneof(fc.string({ maxLength: 4 }), fc.boolean(), fc.integer(), fc.array(fc.integer(), { maxLength: 3 })), { maxKeys: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const message = fc.tuple(fc.constantFrom(...TYPES), fc.array(value, { maxLength: 6 })).map(([t, rest]) => [t, ...rest]);

for (const strictRequestIds of [true, false]) test(`random messages after HELLO (strictRequestIds ${strictRequestIds}): the router answers or aborts, never crashes; others keep being served`, async () => {
  const router = makeRouter({ strictRequestIds });
  const good = await joinSession(router);
  await good.session.register('fuzz.alive', () => 'yes');
  let sessions = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), async (messages) => {
      const peer = new RawPeer(router);
      sessions++;
      await peer.hello();
      for (const m of messages) peer.send(m);
      await delay(2);
      for (const m of peer.received) {
        assert.ok(Array.isArray(m), 'the router only sends WAMP messages');
      }
      peer.transport.close();
    }),
    { numRuns: 150, seed: 42 },
  );
  assert.equal(sessions, 150);
  assert.equal(await good.session.call('fuzz.alive'), 'yes');
  await delay(20);
  // Every fuzzed session is gone; only the good one remains.
  assert.equal(router.sessionCount, 1);
  await router.close(50);
});
