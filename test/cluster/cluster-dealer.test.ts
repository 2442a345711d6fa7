// The cluster's dealer (runtime/router/cluster/cluster-dealer.ts) against a fake registry
// whose watch lags: a CALL for a procedure this node's replica does not have yet (registered
// and acknowledged on another node, its entry still on its way) is routed once the replica has
// caught up, not answered no_such_procedure; a procedure that is registered nowhere still is.
// No nats-server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterDealer } from '../../runtime/router/cluster/cluster-dealer.js';
import { ClusterIds, type RealmContext } from '../../runtime/router/cluster/context.js';
import { Keys } from '../../runtime/router/cluster/keys.js';
import { LocalDealer } from '../../runtime/router/dealer.js';
import { MessageType } from '../../runtime/wamp/message-types.js';
import type { WampMessage } from '../../runtime/wamp/messages.js';
import type { RouterPeer } from '../../runtime/router/peer.js';

const REALM_KEY = 'cmVhbG0x';

function peer(sessionId: number): RouterPeer & { received: WampMessage[] } {
  const received: WampMessage[] = [];
  let next = 0;
  return {
    sessionId, authid: `u${sessionId}`, authrole: 'guest', received,
    hasFeature: () => false,
    send: (m) => {
      received.push(m);
      return true;
    },
    sendShared: () => true,
    nextRequestId: () => ++next,
  };
}

function setup() {
  const caller = peer(1);
  const callee = peer(2);
  const peers = new Map<number, RouterPeer>([[1, caller], [2, callee]]);
  /** Registry entries the watch has not delivered yet: the barrier delivers them. */
  const pending: Array<[string, unknown[]]> = [];
  let barriers = 0;
  let seq = 100;
  const ctx = {
    key: REALM_KEY, member: 'b/1',
    peer: (s: number) => peers.get(s),
    joined: (p: RouterPeer) => peers.get(p.sessionId) === p,
    remote: () => undefined,
    kv: {
      barrier: async () => {
        barriers++;
        for (const [key, value] of pending.splice(0)) dealer.applyEntry(key, value, ++seq);
      },
    },
  } as unknown as RealmContext;
  const ids = new ClusterIds(() => 7);
  const dealer = new ClusterDealer(ctx, ids, new LocalDealer(ids), 100);
  const registeredElsewhere = (uri: string, id: number): void => {
    pending.push([Keys.registration(REALM_KEY, uri, 'exact'), [id, uri, 'exact', 'single', new Date().toISOString(), false, [[2, 'a/1']]]]);
  };
  return { dealer, caller, callee, registeredElsewhere, barriers: () => barriers };
}

test('a CALL for a registration the replica has not received yet waits for the replica and reaches the callee', async () => {
  const { dealer, caller, callee, registeredElsewhere, barriers } = setup();
  registeredElsewhere('com.late', 4242);
  await dealer.call(caller, { request: 1, procedure: 'com.late', options: {}, args: ['x'] });
  assert.equal(barriers(), 1, 'the replica caught up before the call was answered');
  assert.deepEqual(caller.received.map((m) => m.type), [], 'no ERROR for the caller');
  assert.equal(callee.received.length, 1);
  const invocation = callee.received[0]!;
  assert.equal(invocation.type, MessageType.INVOCATION);
  assert.equal(invocation.type === MessageType.INVOCATION && invocation.registration, 4242);
  // A call the replica can route already does not wait for it.
  await dealer.call(caller, { request: 2, procedure: 'com.late', options: {} });
  assert.equal(barriers(), 1);
  assert.equal(callee.received.length, 2);
});

test('a CALL for a procedure registered nowhere is no_such_procedure once the replica caught up', async () => {
  const { dealer, caller, barriers } = setup();
  await dealer.call(caller, { request: 1, procedure: 'com.nobody', options: {} });
  assert.equal(barriers(), 1);
  const [error] = caller.received;
  assert.equal(error?.type, MessageType.ERROR);
  assert.equal(error?.type === MessageType.ERROR && error.error, 'wamp.error.no_such_procedure');
});
