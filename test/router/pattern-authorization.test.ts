// Pattern subscriptions and registrations cannot reach past deny rules: a role never receives an
// event on a topic it may not subscribe to, nor a call to a procedure it may not register, however
// it subscribed or registered. Proven at SUBSCRIBE/REGISTER where the table allows it, checked per
// concrete URI otherwise; dynamic authorizers are asked once per session and URI.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, delay, RawPeer, joinSession } from './helpers.js';
import { subscribeRaw, registerRaw, callRaw, nextWhere, type Joined } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { patternsOverlap, patternCovers, takesPrecedence } from '../../runtime/router/uri-overlap.js';
import { onlyMatchesAllowed } from '../../runtime/router/pattern-guard.js';
import { GuardedDelivery, MAX_HELD_EVENTS } from '../../runtime/router/guarded-delivery.js';
import { SharedMessage } from '../../runtime/router/outbound.js';
import { eventMessage, type EventMessage, type WampMessage } from '../../runtime/wamp/messages.js';
import { Authorizer, type PermissionConfig } from '../../runtime/router/authorizer.js';
import { UriIndex, matchesPattern, type UriMatch } from '../../runtime/router/uri-matcher.js';
import { ticket } from '../../runtime/auth/ticket.js';
import { isValidUri } from '../../runtime/wamp/uris.js';
import type { Router } from '../../runtime/router/router.js';

const roles = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const ALL = { call: true, register: true, publish: true, subscribe: true };

function router(): Router {
  return makeRouter({
    realms: [{
      name: 'realm1',
      auth: { ticket: { type: 'static', principals: {
        admin: { ticket: 'a', role: 'admin' }, user: { ticket: 'u', role: 'user' }, dyn: { ticket: 'd', role: 'dynamic' },
      } } },
      authorization: { roles: [
        { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: ALL }] },
        { name: 'user', permissions: [
          { uri: 'com.example.', match: 'prefix', allow: { subscribe: true, register: true, call: true } },
          { uri: 'com.example.admin.', match: 'prefix', allow: {} },
        ] },
        { name: 'dynamic', authorizer: 'com.auth.decide' },
      ] },
    }],
  });
}

async function join(r: Router, authid: string, ticketValue: string): Promise<Joined> {
  const peer = new RawPeer(r);
  peer.send([M.HELLO, 'realm1', { roles, authmethods: ['ticket'], authid }]);
  await peer.next(M.CHALLENGE);
  peer.send([M.AUTHENTICATE, ticketValue, {}]);
  const welcome = await peer.next(M.WELCOME);
  let n = 0;
  return { peer, id: welcome[1] as number, req: () => ++n };
}

async function publishAck(j: Joined, topic: string, args: unknown[], options: Record<string, unknown> = {}): Promise<void> {
  const r = j.req();
  j.peer.send([M.PUBLISH, r, { acknowledge: true, ...options }, topic, args]);
  await nextWhere(j.peer, M.PUBLISHED, (m) => m[1] === r);
}

function events(j: Joined): unknown[][] {
  return j.peer.received.filter((m): m is unknown[] => Array.isArray(m) && m[0] === M.EVENT);
}

describe('pattern relations (uri-overlap)', () => {
  test('overlap, cover and precedence on hand-picked cases', () => {
    assert.equal(patternsOverlap('com.example.admin.', 'prefix', 'com.example.', 'prefix'), true);
    assert.equal(patternsOverlap('com.example.admin.', 'prefix', 'com.example..secret', 'wildcard'), true);
    assert.equal(patternsOverlap('com.example.admin.', 'prefix', 'com..secret', 'wildcard'), false, 'too few components');
    assert.equal(patternsOverlap('com.example.admin.', 'prefix', 'com.example.public.', 'prefix'), false);
    assert.equal(patternsOverlap('a..c', 'wildcard', 'a.b.', 'wildcard'), true);
    assert.equal(patternsOverlap('a..c', 'wildcard', 'a.b.d', 'wildcard'), false);
    assert.equal(patternCovers('com.', 'prefix', 'com.example..x', 'wildcard'), true);
    assert.equal(patternCovers('com.example.x', 'prefix', 'com.example..x', 'wildcard'), false);
    assert.equal(patternCovers('a..', 'wildcard', 'a.b.', 'wildcard'), true);
    assert.equal(patternCovers('a.b.', 'wildcard', 'a..', 'wildcard'), false);
    assert.equal(patternCovers('a..', 'wildcard', 'a.', 'prefix'), false);
    assert.equal(takesPrecedence('com.example.admin.', 'prefix', 'com.example.', 'prefix'), true);
    assert.equal(takesPrecedence('com.', 'prefix', 'com.example.', 'prefix'), false);
    assert.equal(takesPrecedence('..secret', 'wildcard', 'com.', 'prefix'), false);
  });

  test('sound on every small case: overlap false means no common URI, cover true means containment, proven safe means every URI allowed', () => {
    // Every URI of 1..4 components over {a, b, ab}, and patterns cut from them.
    const parts = ['a', 'b', 'ab'];
    const uris: string[] = [];
    const grow = (prefix: string[], depth: number): void => {
      if (prefix.length > 0) uris.push(prefix.join('.'));
      if (depth === 0) return;
      for (const p of parts) grow([...prefix, p], depth - 1);
    };
    grow([], 4);
    let seed = 2463534242;
    const rand = (n: number): number => {
      // xorshift32: the low bits of a power-of-two LCG alternate, which would correlate choices.
      seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const pattern = (): [string, UriMatch] => {
      const u = pick(uris);
      const kind = rand(3);
      if (kind === 0) return [u, 'exact'];
      if (kind === 1) return [u.slice(0, 1 + rand(u.length)), 'prefix'];
      return [u.split('.').map((c) => (rand(2) === 0 ? '' : c)).join('.'), 'wildcard'];
    };
    const matching = (p: string, m: UriMatch): string[] => uris.filter((u) => matchesPattern(u, p, m));
    for (let round = 0; round < 400; round++) {
      const [a, am] = pattern();
      const [b, bm] = pattern();
      const ua = new Set(matching(a, am));
      const ub = matching(b, bm);
      if (!patternsOverlap(a, am, b, bm)) assert.ok(!ub.some((u) => ua.has(u)), `overlap(${a} ${am}, ${b} ${bm})`);
      if (bm !== 'exact' && patternCovers(a, am, b, bm)) assert.ok(ub.every((u) => ua.has(u)), `covers(${a} ${am}, ${b} ${bm})`);
    }
    for (let round = 0; round < 1000; round++) {
      const index = new UriIndex<PermissionConfig>({ allowCatchAll: true });
      const n = 1 + rand(4);
      for (let i = 0; i < n; i++) {
        const [p, m] = pattern();
        if (!isValidUri(p, 'loose', m)) continue;
        index.set(p, m, { uri: p, match: m, allow: { subscribe: rand(2) === 0 } });
      }
      if (rand(4) === 0) index.set('', 'prefix', { uri: '', match: 'prefix', allow: { subscribe: true } });
      const [p, m] = pattern();
      if (m === 'exact' || !isValidUri(p, 'loose', m)) continue;
      if (!onlyMatchesAllowed(index.entries(), p, m, (perm) => perm.allow?.subscribe === true)) continue;
      for (const u of matching(p, m)) {
        assert.equal(index.best(u)?.value.allow?.subscribe, true, `${u} under ${p} ${m} with ${JSON.stringify([...index.entries()].map((e) => [e.pattern, e.match, e.value.allow]))}`);
      }
    }
  });

  test('the authorizer guards only patterns it cannot prove', () => {
    const authorizer = new Authorizer({ roles: [{ name: 'user', permissions: [
      { uri: 'com.example.', match: 'prefix', allow: { subscribe: true } },
      { uri: 'com.example.admin.', match: 'prefix', allow: {} },
    ] }] });
    const subject = { sessionId: 1, authid: 'u', authrole: 'user' };
    const decide = (uri: string, match: UriMatch) => authorizer.authorize(subject, uri, 'subscribe', { match }) as { allow: boolean; guard?: (u: string) => unknown };
    assert.equal(decide('com.example.public.', 'prefix').guard, undefined, 'cannot meet admin: proven');
    assert.equal(decide('com.example.x', 'exact').guard, undefined);
    const guarded = decide('com.example.', 'prefix');
    assert.equal(guarded.allow, true);
    assert.equal(guarded.guard?.('com.example.admin.secret'), false);
    assert.equal(guarded.guard?.('com.example.news'), true);
    assert.equal(decide('com.example.admin.', 'prefix').allow, false, 'wholly denied: refused at SUBSCRIBE');
  });
});

describe('pattern subscriptions through the router', () => {
  test('a prefix or wildcard subscription gets no event (live or retained) on a topic the role may not subscribe to', async () => {
    const r = router();
    const admin = await join(r, 'admin', 'a');
    const user = await join(r, 'user', 'u');
    await publishAck(admin, 'com.example.admin.secret', ['retained secret'], { retain: true });
    const prefix = await subscribeRaw(user, 'com.example.', { match: 'prefix', get_retained: true });
    const wildcard = await subscribeRaw(user, 'com.example..secret', { match: 'wildcard' });
    const exact = user.req();
    user.peer.send([M.SUBSCRIBE, exact, {}, 'com.example.admin.secret']);
    assert.equal((await nextWhere(user.peer, M.ERROR, (m) => m[2] === exact))[4], 'wamp.error.not_authorized');
    await publishAck(admin, 'com.example.admin.secret', ['secret']);
    await publishAck(admin, 'com.example.news.secret', ['news']);
    await nextWhere(user.peer, M.EVENT, (m) => m[1] === wildcard);
    await nextWhere(user.peer, M.EVENT, (m) => m[1] === prefix);
    await delay(20);
    assert.deepEqual(events(user), [], `nothing else arrived: ${JSON.stringify(events(user))}`);
    await r.close(50);
  });

  test('a dynamic authorizer is asked once per session and concrete topic; denied events are dropped; order is kept across subscriptions', async () => {
    const r = router();
    const asked: Array<[string, string, unknown]> = [];
    const auth = await joinSession(r, { authmethods: ['ticket'], authenticators: [ticket({ authid: 'admin', ticket: 'a' })] });
    await auth.session.register('com.auth.decide', async (args) => {
      const [, uri, action, options] = args as [unknown, string, string, Record<string, unknown>];
      asked.push([uri, action, options['match']]);
      await delay(10); // a round trip: later events must wait for this answer, not overtake it
      return (uri.startsWith('com.app.') && !uri.startsWith('com.app.admin.')) || uri === 'org.other';
    });
    const admin = await join(r, 'admin', 'a');
    const dyn = await join(r, 'dyn', 'd');
    const prefix = await subscribeRaw(dyn, 'com.app.', { match: 'prefix' });
    const other = await subscribeRaw(dyn, 'org.other');
    await publishAck(admin, 'com.app.news', ['n1']);
    await publishAck(admin, 'com.app.admin.keys', ['k']);
    await publishAck(admin, 'org.other', ['o']);
    await publishAck(admin, 'com.app.news', ['n2']);
    for (let i = 0; i < 800 && events(dyn).length < 3; i++) await delay(10);
    await delay(30);
    assert.deepEqual(events(dyn).map((m) => [m[1], m[4]]), [[prefix, ['n1']], [other, ['o']], [prefix, ['n2']]]);
    assert.deepEqual(asked, [
      ['com.app.', 'subscribe', 'prefix'],
      ['org.other', 'subscribe', undefined],
      ['com.app.news', 'subscribe', 'exact'],
      ['com.app.admin.keys', 'subscribe', 'exact'],
    ], 'the pattern at SUBSCRIBE, then each concrete topic once');
    await auth.session.leave();
    await r.close(50);
  });
});

describe('pattern registrations through the router', () => {
  test('a callee never gets a call to a procedure its role may not register; routing falls through to the next registration', async () => {
    const r = router();
    const admin = await join(r, 'admin', 'a');
    const user = await join(r, 'user', 'u');
    await registerRaw(user, 'com.example.', { match: 'prefix' });
    const denied = await callRaw(admin, 'com.example.admin.reset');
    assert.equal(denied[4], 'wamp.error.no_such_procedure', JSON.stringify(denied));
    const ok = callRaw(admin, 'com.example.ping');
    const inv = await user.peer.next(M.INVOCATION);
    assert.equal((inv[3] as Record<string, unknown>)['procedure'], 'com.example.ping');
    user.peer.send([M.YIELD, inv[1], {}, ['pong']]);
    assert.deepEqual((await ok)[3], ['pong']);
    // A lower-precedence registration whose callee may have it takes the call instead.
    const backend = await join(r, 'admin', 'a');
    await registerRaw(backend, 'com.example.admin.', { match: 'wildcard' });
    const routed = callRaw(admin, 'com.example.admin.reset');
    const adminInv = await backend.peer.next(M.INVOCATION);
    backend.peer.send([M.YIELD, adminInv[1], {}, ['reset']]);
    assert.deepEqual((await routed)[3], ['reset']);
    assert.equal(user.peer.received.filter((m) => Array.isArray(m) && m[0] === M.INVOCATION).length, 0);
    await r.close(50);
  });

  test('a dynamic authorizer decides per procedure for a callee\'s pattern registration, once', async () => {
    const r = router();
    const asked: string[] = [];
    const auth = await joinSession(r, { authmethods: ['ticket'], authenticators: [ticket({ authid: 'admin', ticket: 'a' })] });
    await auth.session.register('com.auth.decide', (args) => {
      const [, uri, action] = args as [unknown, string, string];
      asked.push(`${action} ${uri}`);
      return action === 'register' && !uri.startsWith('com.svc.private.');
    });
    const caller = await join(r, 'admin', 'a');
    const dyn = await join(r, 'dyn', 'd');
    await registerRaw(dyn, 'com.svc.', { match: 'prefix' });
    assert.equal((await callRaw(caller, 'com.svc.private.x'))[4], 'wamp.error.no_such_procedure');
    for (let i = 0; i < 2; i++) {
      const pending = callRaw(caller, 'com.svc.open');
      const inv = await dyn.peer.next(M.INVOCATION);
      dyn.peer.send([M.YIELD, inv[1], {}, [i]]);
      assert.deepEqual((await pending)[3], [i]);
    }
    assert.deepEqual(asked, ['register com.svc.', 'register com.svc.private.x', 'register com.svc.open']);
    await auth.session.leave();
    await r.close(50);
  });
});

describe('GuardedDelivery', () => {
  /** An EVENT whose one argument names it; `shared` as a publication sends it (SharedMessage). */
  function ev(label: unknown, shared = false): EventMessage | SharedMessage {
    const message = eventMessage(1, 1, {}, [label]);
    return shared ? new SharedMessage(message) : message;
  }

  function fakePeer() {
    const sent: unknown[] = [];
    const record = (m: WampMessage): boolean => {
      sent.push(m.type === M.EVENT ? m.args?.[0] : m);
      return true;
    };
    const peer = {
      sessionId: 5, authid: 'p', authrole: 'r', hasFeature: () => false, nextRequestId: () => 1,
      send: record,
      sendShared: (m: SharedMessage) => record(m.message),
    };
    return { peer, sent };
  }

  test('events wait behind an unanswered guard in order, at most MAX_HELD_EVENTS of them; a left subscription or receiver gets nothing', async () => {
    const { peer, sent } = fakePeer();
    const delivery = new GuardedDelivery();
    const sub = { subscribers: new Set([peer]) };
    let answer!: (v: boolean) => void;
    const slow = new Promise<boolean>((resolve) => (answer = resolve));
    const guard = (uri: string) => (uri === 'slow' ? slow : uri !== 'denied');
    delivery.deliver(peer, sub, ev('first'), guard, 'slow');
    assert.equal(delivery.holding, 1);
    delivery.deliver(peer, sub, ev('unguarded', true), undefined, 'x');
    delivery.deliver(peer, sub, ev('denied'), guard, 'denied');
    for (let i = 0; i < MAX_HELD_EVENTS + 50; i++) delivery.deliver(peer, sub, ev(i), guard, 'fast');
    assert.deepEqual(sent, [], 'nothing overtakes the unanswered one');
    answer(true);
    await delay(5);
    assert.equal(sent.length, MAX_HELD_EVENTS - 1, 'the queue was bounded (first + unguarded + the rest, the denied one dropped)');
    assert.deepEqual(sent.slice(0, 3), ['first', 'unguarded', 0]);
    assert.equal(delivery.holding, 0);
    delivery.deliver(peer, sub, ev('direct'), guard, 'fast');
    assert.deepEqual(sent.at(-1), 'direct');

    const other = fakePeer();
    const pending = new Promise<boolean>((resolve) => (answer = resolve));
    const left = { subscribers: new Set([other.peer]) };
    delivery.deliver(other.peer, left, ev('a'), () => pending, 't');
    left.subscribers.clear();
    answer(true);
    await delay(5);
    assert.deepEqual(other.sent, [], 'the subscription was left while the event waited');
    const again = new Promise<boolean>((resolve) => (answer = resolve));
    delivery.deliver(other.peer, sub, ev('b'), () => again, 't');
    delivery.forget(other.peer);
    answer(true);
    await delay(5);
    assert.deepEqual(other.sent, []);
    assert.equal(delivery.holding, 0);
  });
});
