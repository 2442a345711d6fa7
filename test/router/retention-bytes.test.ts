// Retention is bounded in bytes per realm (maxBytes, default 64 MiB), not only in topics: the
// least recently retained topics go first; an event bigger than the budget is not kept.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RetentionStore, DEFAULT_RETENTION_MAX_BYTES, type RetainedEvent } from '../../runtime/router/retention.js';
import { estimatePayloadBytes } from '../../runtime/router/payload-size.js';
import { publishFilter } from '../../runtime/router/event-filter.js';
import type { PeerIdentity } from '../../runtime/router/peer.js';
import { makeRouter, delay } from './helpers.js';
import { joinRaw, subscribeRaw } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

const anyone: PeerIdentity = { sessionId: 1, authid: 'a', authrole: 'r' };
let nextPublication = 1;
function event(topic: string, args: unknown[], options: Record<string, unknown> = {}): RetainedEvent {
  return { topic, publication: nextPublication++, publisher: 99, filter: publishFilter(options), details: {}, args };
}
const KB = 1024;

describe('estimatePayloadBytes', () => {
  test('strings count UTF-8 bytes, binary its length; nested values add up; a shared object counts once', () => {
    const base = estimatePayloadBytes('');
    assert.equal(estimatePayloadBytes('é'.repeat(1000)) - base, 2000);
    assert.equal(estimatePayloadBytes(new Uint8Array(5000)) - estimatePayloadBytes(new Uint8Array(0)), 5000);
    const big = { blob: new Uint8Array(10 * KB) };
    assert.ok(estimatePayloadBytes([big, { k: big }]) < 2 * 10 * KB, 'one object referenced twice is held once');
    assert.ok(estimatePayloadBytes([big, { k: { blob: new Uint8Array(10 * KB) } }]) > 2 * 10 * KB);
    assert.ok(estimatePayloadBytes(['x'.repeat(10 * KB), { k: 'y'.repeat(10 * KB) }]) > 2 * 10 * KB);
  });

  test('a payload nested 100000 deep is measured without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.ok(estimatePayloadBytes(deep) > 100_000);
  });
});

describe('RetentionStore maxBytes', () => {
  test('over the byte budget the least recently retained topics are dropped', () => {
    const store = new RetentionStore({ maxBytes: 10 * KB });
    const three = 'x'.repeat(3 * KB);
    for (const t of ['a', 'b', 'c']) store.retain(event(t, [three]));
    assert.equal(store.size, 3);
    store.retain(event('a', [three])); // a is now the most recently retained
    store.retain(event('d', [three]));
    assert.ok(store.bytes <= 10 * KB, `${store.bytes} bytes kept`);
    assert.equal(store.latest('b', anyone), undefined, 'b was the oldest');
    for (const t of ['a', 'c', 'd']) assert.ok(store.latest(t, anyone) !== undefined, t);
  });

  test('replacing a topic\'s event and dropping restricted ones keep the count exact; delete and clear free it', () => {
    const store = new RetentionStore({ maxBytes: 1024 * KB, maxRestrictedPerTopic: 2 });
    const payload = 'y'.repeat(KB);
    for (let i = 0; i < 100; i++) store.retain(event('t', [payload]));
    const one = store.bytes;
    assert.ok(one > KB && one < 2 * KB, `one event: ${one}`);
    for (let i = 0; i < 10; i++) store.retain(event('t', [payload], { eligible: [1] }));
    assert.ok(store.bytes < 4 * KB, `base plus two restricted: ${store.bytes}`);
    store.retain(event('u', [payload]));
    store.delete('t');
    assert.equal(store.bytes, one);
    store.clear();
    assert.equal(store.bytes, 0);
  });

  test('an event bigger than the whole budget is not kept, and its topic\'s older event goes too', () => {
    const store = new RetentionStore({ maxBytes: 4 * KB });
    store.retain(event('t', ['small']));
    store.retain(event('other', ['small']));
    store.retain(event('t', ['z'.repeat(8 * KB)]));
    assert.equal(store.latest('t', anyone), undefined);
    assert.ok(store.latest('other', anyone) !== undefined, 'the others stay');
    assert.ok(store.bytes <= 4 * KB);
  });

  test('by default 300 retained 4 MB events keep at most 64 MiB (scaled: one shared 4 MB string)', () => {
    const store = new RetentionStore();
    const four = 'm'.repeat(4 * 1024 * KB);
    for (let i = 0; i < 300; i++) store.retain(event(`com.big.${i}`, [four]));
    assert.equal(DEFAULT_RETENTION_MAX_BYTES, 64 * 1024 * KB);
    assert.ok(store.bytes <= DEFAULT_RETENTION_MAX_BYTES, `${store.bytes}`);
    assert.ok(store.size <= 16, `${store.size} topics kept`);
    assert.ok(store.latest('com.big.299', anyone) !== undefined, 'the newest is kept');
    assert.equal(store.latest('com.big.0', anyone), undefined, 'the oldest went');
  });
});

describe('retention maxBytes through the router', () => {
  test('a realm\'s retention.maxBytes bounds what a get_retained subscriber receives; 0 is refused', async () => {
    assert.throws(() => makeRouter({ realms: [{ name: 'r', retention: { maxBytes: 0 } }] }), /retention\.maxBytes must be at least 1/);
    const router = makeRouter({ realms: [{ name: 'realm1', retention: { maxBytes: 100 * KB } }] });
    const pub = await joinRaw(router);
    const payload = 'p'.repeat(30 * KB);
    for (let i = 0; i < 10; i++) {
      const r = pub.req();
      pub.peer.send([M.PUBLISH, r, { retain: true, acknowledge: true }, `com.r.${i}`, [i, payload]]);
      await pub.peer.next(M.PUBLISHED);
    }
    const sub = await joinRaw(router);
    await subscribeRaw(sub, 'com.r.', { match: 'prefix', get_retained: true });
    await delay(50);
    const got = sub.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).map((m) => ((m as unknown[])[4] as unknown[])[0]);
    assert.deepEqual(got, [7, 8, 9], 'the three newest fit in 100 KB');
    await router.close(50);
  });
});
