// The cleanup after a dead node incarnation (runtime/router/cluster/cleanup.ts), against a fake
// realm cluster whose registry replica lags behind the registry, as a watch can: the cleanup
// first brings the replica up to date, and takes the registry, not the replica, as the truth of
// which sessions are still to be cleaned up. No nats-server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanUpAfter } from '../../runtime/router/cluster/cleanup.js';
import { Keys } from '../../runtime/router/cluster/keys.js';
import { encodeValue } from '../../runtime/router/cluster/wire.js';
import { encodeTestaments } from '../../runtime/router/cluster/testaments.js';
import type { RealmCluster } from '../../runtime/router/cluster/realm-cluster.js';
import type { SessionRecord } from '../../runtime/router/cluster/remote-peer.js';

const REALM_KEY = 'cmVhbG0x';
const NODE = 'd';
const INCARNATION = 'i1';

const record = (session: number): SessionRecord => ({ session, node: NODE, incarnation: INCARNATION, authid: `u${session}`, authrole: 'guest', features: [] });

/**
 * A realm cluster with sessions 1 (in the registry and the replica: to clean up), 2 (left the
 * registry with its own node's clean stop, still in the stale replica: not to clean up again)
 * and 3 (in the registry, reaching the replica only with the barrier: to clean up).
 */
function fakeCluster() {
  const kv = new Map<string, Uint8Array>();
  const events: string[] = [];
  const records = new Map<number, SessionRecord>();
  const put = (key: string, v: unknown[]): void => void kv.set(key, encodeValue(v));
  for (const s of [1, 3]) {
    put(Keys.session(REALM_KEY, s), [s]);
    put(Keys.testaments(REALM_KEY, s), encodeTestaments([{ topic: 'com.will', args: [s], kwargs: {}, options: {} }]));
  }
  records.set(1, record(1));
  records.set(2, record(2));
  let barriers = 0;
  const rc = {
    realm: {
      meta: {
        subscriberRemoved: (s: number) => events.push(`on_unsubscribe ${s}`),
        subscriptionDeleted: (s: number) => events.push(`subscription on_delete ${s}`),
        calleeRemoved: (s: number) => events.push(`on_unregister ${s}`),
        registrationDeleted: (s: number) => events.push(`registration on_delete ${s}`),
        sessionLeft: (info: { session: number }) => events.push(`on_leave ${info.session}`),
      },
    },
    records,
    ctx: {
      key: REALM_KEY,
      kv: {
        barrier: async () => {
          barriers++;
          records.set(3, record(3));
        },
        get: async (key: string) => (kv.has(key) ? { value: kv.get(key)!, revision: 1 } : null),
        delete: async (key: string) => void kv.delete(key),
      },
    },
    broker: {
      subscriptionsOf: (s: number) => [{ id: 100 + s, uri: `com.topic${s}`, match: 'exact', members: new Set([s]) }],
      claimsListing: () => [],
      removeSubscriber: async () => true,
      publish: (_peer: null, request: { topic: string; args: unknown[] }) => events.push(`publish ${request.topic} ${String(request.args[0])}`),
    },
    dealer: {
      registrationsOf: () => [{ id: 200, uri: 'com.proc', match: 'exact', sessions: [1, 2, 3] }],
      removeCallee: async () => false,
    },
  };
  return { rc: rc as unknown as RealmCluster, kv, events, records, barriers: () => barriers };
}

test('cleanup after a dead node: only the sessions the registry still holds, each once, with the replica brought up to date first', async () => {
  const { rc, kv, events, records, barriers } = fakeCluster();
  const cleaned = await cleanUpAfter(rc, NODE, INCARNATION);
  assert.equal(barriers(), 1, 'the replica was brought up to date before it was read');
  assert.equal(cleaned, 2);
  const about = (s: number): string[] => events.filter((e) => e.endsWith(` ${s}`) && !e.startsWith('subscription') && !e.startsWith('registration'));
  assert.deepEqual(about(2), [], 'a session its own node removed is not announced again');
  for (const s of [1, 3]) {
    assert.deepEqual(about(s), [`on_unsubscribe ${s}`, `on_unregister ${s}`, `publish com.will ${s}`, `on_leave ${s}`], `session ${s}`);
    assert.equal(kv.has(Keys.session(REALM_KEY, s)), false);
    assert.equal(kv.has(Keys.testaments(REALM_KEY, s)), false);
  }
  assert.equal(records.size, 0, 'the replica forgets them all');
});
