// The client's Advanced Profile features end to end through our own router (memory
// transport): retention, testaments, the session meta API as plain calls, revocation,
// progressive call invocations and call timeouts. Each test first checks that the router
// announces the feature it exercises (the client side alone is covered by
// session-advanced.test.ts against a scripted router).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { ROUTER_ROLES } from '../../runtime/router/features.js';
import type { EventDetails, Registration, Subscription } from '../../runtime/wamp/types.js';
import type { Router } from '../../runtime/router/router.js';
import { makeRouter, joinSession, withTimeout, delay } from '../router/helpers.js';

function assertAnnounced(role: 'broker' | 'dealer', feature: string): void {
  assert.equal((ROUTER_ROLES[role].features as Record<string, boolean | undefined>)[feature], true, `the router announces ${role} ${feature}`);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await delay(5);
  }
  throw new Error(`timed out: ${what}`);
}

describe('client Advanced Profile through our router', () => {
  let router: Router;
  before(() => {
    router = makeRouter();
  });
  after(async () => {
    await router.close();
  });

  test('retain on publish, get_retained on subscribe: the late subscriber gets the last event with details.retained', async () => {
    const { session: a } = await joinSession(router);
    const { session: b } = await joinSession(router);
    await a.publish('r.state', ['v1'], {}, { acknowledge: true, retain: true });
    await a.publish('r.state', ['v2'], { n: 2 }, { acknowledge: true, retain: true });
    const got: Array<[unknown[], EventDetails]> = [];
    await b.subscribe('r.state', (args, _k, details) => void got.push([args, details]), { getRetained: true });
    await until(() => got.length >= 1, 'retained event');
    assert.deepEqual(got[0]![0], ['v2']);
    assert.equal(got[0]![1].retained, true);
    // A plain subscribe gets no retained event; a new publication is not marked retained.
    const plain: unknown[] = [];
    await b.subscribe('r.state', (args) => void plain.push(args[0]));
    await a.publish('r.state', ['v3'], {}, { acknowledge: true });
    await until(() => plain.length >= 1, 'live event');
    assert.deepEqual(plain, ['v3']);
    assert.equal(got.at(-1)![1].retained, undefined);
    await a.leave();
    await b.leave();
  });

  test('addTestament: the event is published when the session is lost; flushTestaments removes it', async () => {
    const { session: watcher } = await joinSession(router);
    const got: unknown[] = [];
    await watcher.subscribe('t.gone', (args, kwargs) => void got.push([args, kwargs]));
    const { session: flushed } = await joinSession(router);
    await flushed.addTestament('t.gone', ['flushed'], {});
    await flushed.flushTestaments();
    flushed.disconnect();
    const { session: dying } = await joinSession(router);
    await dying.addTestament('t.gone', ['bye'], { who: dying.id });
    const id = dying.id;
    dying.disconnect();
    await until(() => got.length >= 1, 'testament');
    await delay(20);
    assert.deepEqual(got, [[['bye'], { who: id }]]);
    await assert.rejects(watcher.addTestament('t.x', [], {}, { scope: 'never' as 'destroyed' }), (e: unknown) => (e as { code?: string }).code === 'WAMP_INVALID_ARGUMENT');
    await watcher.leave();
  });

  test('registration revocation: a forced re-registration revokes the old callee (registrationRevoked, inactive); calls reach the new one', async () => {
    assertAnnounced('dealer', 'registration_revocation');
    const { session: old } = await joinSession(router);
    const { session: taker } = await joinSession(router);
    const { session: caller } = await joinSession(router);
    const reg = await old.register('v.owned', () => 'old');
    const revoked = new Promise<[Registration, string | undefined]>((resolve) => old.once('registrationRevoked', (r, why) => resolve([r, why])));
    await taker.register('v.owned', () => 'new', { forceReregister: true });
    const [which, why] = await withTimeout(revoked, 10_000, 'revocation');
    assert.equal(which, reg);
    assert.equal(reg.active, false);
    assert.equal(typeof why, 'string');
    assert.equal(await caller.call('v.owned'), 'new');
    for (const s of [old, taker, caller]) await s.leave();
  });

  test('subscription revocation: the router revokes a subscription (subscriptionRevoked); events stop', async () => {
    assertAnnounced('broker', 'subscription_revocation');
    const core = router.realm('realm1');
    assert.ok(core !== undefined);
    const { session: sub } = await joinSession(router);
    const { session: pub } = await joinSession(router);
    const got: unknown[] = [];
    const s = await sub.subscribe('v.topic', (args) => void got.push(args[0]));
    const revoked = new Promise<[Subscription[], string | undefined]>((resolve) => sub.once('subscriptionRevoked', (subs, why) => resolve([subs, why])));
    core.revokeSubscription(s.id, 'no longer authorized', sub.id);
    const [subs, why] = await withTimeout(revoked, 10_000, 'revocation');
    assert.deepEqual(subs, [s]);
    assert.equal(why, 'no longer authorized');
    assert.equal(s.active, false);
    await pub.publish('v.topic', ['after'], {}, { acknowledge: true });
    await delay(20);
    assert.deepEqual(got, []);
    await sub.leave();
    await pub.leave();
  });

  test('the session meta API as plain calls: count, get', async () => {
    const { session: a } = await joinSession(router);
    const count = await a.call('wamp.session.count');
    assert.ok(typeof count === 'number' && count >= 1);
    const info = (await a.call('wamp.session.get', [a.id])) as Record<string, unknown>;
    assert.equal(info['session'], a.id);
    await a.leave();
  });

  test('progressive call invocations: chunks reach the callee as details.input; one result', async () => {
    assertAnnounced('dealer', 'progressive_call_invocations');
    const { session: callee } = await joinSession(router);
    const { session: caller } = await joinSession(router);
    await callee.register('p.concat', async (args, _kwargs, details) => {
      let text = String(args[0]);
      for await (const chunk of details.input ?? []) text += String(chunk.args[0]);
      return text;
    });
    const call = caller.callProgressive('p.concat');
    call.send(['a']);
    call.send(['b']);
    call.send(['c'], undefined, { final: true });
    assert.deepEqual((await withTimeout(call.result, 10_000, 'progressive call')).args, ['abc']);
    await callee.leave();
    await caller.leave();
  });

  test('call timeout: the dealer ends a call that runs too long with wamp.error.timeout and interrupts the callee', async () => {
    assertAnnounced('dealer', 'call_timeout');
    const { session: callee } = await joinSession(router);
    const { session: caller } = await joinSession(router);
    let aborted = false;
    await callee.register('p.slow', (_a, _k, details) => new Promise((resolve) => {
      details.signal.addEventListener('abort', () => {
        aborted = true;
        resolve('stopped');
      });
    }));
    await assert.rejects(withTimeout(caller.call('p.slow', [], {}, { timeout: 50 }), 10_000, 'timed call'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.timeout');
    await until(() => aborted, 'callee interrupted');
    await callee.leave();
    await caller.leave();
  });
});
