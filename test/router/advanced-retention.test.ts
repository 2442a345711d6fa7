// Event retention: the newest retained event a subscriber is eligible for, bounded storage.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RetentionStore, retainedEventMessage, type RetainedEvent } from '../../runtime/router/retention.js';
import { publishFilter } from '../../runtime/router/event-filter.js';
import type { PeerIdentity } from '../../runtime/router/peer.js';
import { isWampkitError } from '../../runtime/errors.js';
import { toWire } from '../../runtime/wamp/messages.js';

const alice: PeerIdentity = { sessionId: 1, authid: 'alice', authrole: 'manager' };
const bob: PeerIdentity = { sessionId: 2, authid: 'bob', authrole: 'staff' };
const publisherId = 9;

let nextPublication = 100;
function event(topic: string, options: Record<string, unknown> = {}, args: unknown[] = [topic]): RetainedEvent {
  return { topic, publication: nextPublication++, publisher: publisherId, filter: publishFilter(options), details: {}, args };
}

describe('RetentionStore', () => {
  test('keeps the most recent event per topic and gives it to any subscriber', () => {
    const store = new RetentionStore();
    store.retain(event('t', {}, [1]));
    store.retain(event('t', {}, [2]));
    store.retain(event('u', {}, [3]));
    assert.equal(store.size, 2);
    assert.deepEqual(store.latest('t', alice)?.args, [2]);
    assert.deepEqual(store.latest('t', bob)?.args, [2]);
    assert.equal(store.latest('nope', bob), undefined);
  });

  test('never hands out an event the subscriber would not have received; restricted events are supplemental', () => {
    const store = new RetentionStore();
    store.retain(event('t', {}, ['for all']));
    store.retain(event('t', { eligible_authrole: ['manager'] }, ['managers only']));
    assert.deepEqual(store.latest('t', alice)?.args, ['managers only']);
    assert.deepEqual(store.latest('t', bob)?.args, ['for all']);
    // A new unrestricted event replaces the restricted ones before it.
    store.retain(event('t', {}, ['news']));
    assert.deepEqual(store.latest('t', alice)?.args, ['news']);
    // Only restricted events, none for bob: bob gets nothing.
    store.retain(event('v', { exclude: [bob.sessionId] }, ['not bob']));
    assert.equal(store.latest('v', bob), undefined);
    assert.deepEqual(store.latest('v', alice)?.args, ['not bob']);
  });

  test('the publisher itself is excluded as it was at publication, unless exclude_me was false', () => {
    const store = new RetentionStore();
    const me: PeerIdentity = { sessionId: publisherId, authid: 'p', authrole: 'r' };
    store.retain(event('t'));
    assert.equal(store.latest('t', me), undefined);
    store.retain(event('t', { exclude_me: false }));
    assert.ok(store.latest('t', me) !== undefined);
  });

  test('restricted events per topic are bounded, oldest dropped', () => {
    const store = new RetentionStore({ maxRestrictedPerTopic: 2 });
    store.retain(event('t', { eligible: [1] }, ['a1']));
    store.retain(event('t', { eligible: [2] }, ['b1']));
    store.retain(event('t', { eligible: [2] }, ['b2']));
    assert.equal(store.latest('t', alice), undefined);
    assert.deepEqual(store.latest('t', bob)?.args, ['b2']);
  });

  test('topics are bounded: the least recently retained topic goes first', () => {
    const store = new RetentionStore({ maxTopics: 2 });
    store.retain(event('a'));
    store.retain(event('b'));
    store.retain(event('a'));
    store.retain(event('c'));
    assert.equal(store.size, 2);
    assert.equal(store.latest('b', alice), undefined);
    assert.ok(store.latest('a', alice) !== undefined);
    assert.ok(store.latest('c', alice) !== undefined);
  });

  test('maxAge forgets old events (injected clock)', () => {
    let now = 1000;
    const store = new RetentionStore({ maxAge: 50, now: () => now });
    store.retain(event('t'));
    now = 1050;
    assert.ok(store.latest('t', alice) !== undefined);
    now = 1051;
    assert.equal(store.latest('t', alice), undefined);
  });

  test('pattern subscriptions get one event per matching topic, oldest first', () => {
    let now = 0;
    const store = new RetentionStore({ now: () => now++ });
    store.retain(event('com.x.b', {}, ['b']));
    store.retain(event('com.x.a', {}, ['a']));
    store.retain(event('com.y.a', {}, ['ya']));
    store.retain(event('com.x.b', {}, ['b2']));
    assert.deepEqual(store.forSubscription('com.x', 'prefix', alice).map((e) => e.args), [['a'], ['b2']]);
    assert.deepEqual(store.forSubscription('com..a', 'wildcard', alice).map((e) => e.args), [['a'], ['ya']]);
    assert.deepEqual(store.forSubscription('com.x.a', 'exact', alice).map((e) => e.args), [['a']]);
    assert.deepEqual(store.forSubscription('com.z', 'exact', alice), []);
    assert.equal(store.delete('com.x.a'), true);
    assert.equal(store.delete('com.x.a'), false);
    store.clear();
    assert.equal(store.size, 0);
  });

  test('options are validated, naming the bad value', () => {
    for (const bad of [{ maxTopics: 0 }, { maxRestrictedPerTopic: -1 }, { maxAge: 1.5 }, { maxTopics: '10' }]) {
      assert.throws(() => new RetentionStore(bad as never), (e: unknown) => isWampkitError(e) && e.code === 'ROUTER_INVALID_OPTION' && /retention\./.test(e.message));
    }
  });
});

test('retainedEventMessage marks the EVENT retained and adds the topic for pattern subscriptions', () => {
  const ev: RetainedEvent = { topic: 'com.t', publication: 77, publisher: 5, filter: publishFilter({}), details: { publisher: 5 }, args: [1], kwargs: { k: 2 } };
  assert.deepEqual(toWire(retainedEventMessage(3, ev, false)), [36, 3, 77, { publisher: 5, retained: true }, [1], { k: 2 }]);
  assert.deepEqual(toWire(retainedEventMessage(3, ev, true)), [36, 3, 77, { publisher: 5, retained: true, topic: 'com.t' }, [1], { k: 2 }]);
  const bare: RetainedEvent = { topic: 'com.t', publication: 78, publisher: null, filter: publishFilter({}), details: {} };
  assert.deepEqual(toWire(retainedEventMessage(3, bare, false)), [36, 3, 78, { retained: true }]);
});
