// Advanced Profile routing: pattern-based subscriptions and registrations, shared registrations.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, joinSession, delay } from './helpers.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { compareWildcardPrecedence, matchesPattern } from '../../runtime/router/uri-matcher.js';
import type { EventDetails, InvocationDetails } from '../../runtime/wamp/types.js';

describe('pattern-based subscriptions', () => {
  test('prefix and wildcard subscriptions receive matching events with the concrete topic; one EVENT per matching subscription', async () => {
    const router = makeRouter();
    const sub = await joinSession(router);
    const pub = await joinSession(router);
    const got: Array<[string, string, unknown]> = [];
    const record = (tag: string) => (args: unknown[], _k: unknown, d: EventDetails) => void got.push([tag, d.topic, args[0]]);
    await sub.session.subscribe('com.app', record('prefix'), { match: 'prefix' });
    await sub.session.subscribe('com..update', record('wildcard'), { match: 'wildcard' });
    await sub.session.subscribe('com.app.update', record('exact'));
    await pub.session.publish('com.app.update', [1], {}, { acknowledge: true });
    await pub.session.publish('com.other.update', [2], {}, { acknowledge: true });
    await pub.session.publish('com.app.x.update', [3], {}, { acknowledge: true });
    await pub.session.publish('org.app.update', [4], {}, { acknowledge: true });
    await pub.session.publish('com.apple', [5], {}, { acknowledge: true }); // string prefix, as the spec's example
    for (let i = 0; i < 2000 && got.length < 6; i++) await delay(5);
    await delay(20);
    const sorted = got.map((g) => g.join(' ')).sort();
    assert.deepEqual(sorted, [
      'exact com.app.update 1',
      'prefix com.app.update 1',
      'prefix com.app.x.update 3',
      'prefix com.apple 5',
      'wildcard com.app.update 1',
      'wildcard com.other.update 2',
    ]);
    await router.close(50);
  });
});

describe('pattern-based registrations', () => {
  test('the spec example: exact, then longest prefix, then the most specific wildcard', async () => {
    const router = makeRouter();
    const callee = await joinSession(router);
    const caller = await joinSession(router);
    const regs: Array<[number, string, 'exact' | 'prefix' | 'wildcard']> = [
      [1, 'a1.b2.c3.d4.e55', 'exact'],
      [2, 'a1.b2.c3', 'prefix'],
      [3, 'a1.b2.c3.d4', 'prefix'],
      [4, 'a1.b2..d4.e5', 'wildcard'],
      [5, 'a1.b2.c33..e5', 'wildcard'],
      [6, 'a1.b2..d4.e5..g7', 'wildcard'],
      [7, 'a1.b2..d4..f6.g7', 'wildcard'],
    ];
    for (const [n, uri, match] of regs) {
      await callee.session.register(uri, (_a, _k, d: InvocationDetails) => [n, d.procedure], { match });
    }
    const expect: Array<[string, number]> = [
      ['a1.b2.c3.d4.e55', 1],
      ['a1.b2.c3.d98.e74', 2],
      ['a1.b2.c3.d4.e325', 3],
      ['a1.b2.c55.d4.e5', 4],
      ['a1.b2.c33.d4.e5', 5],
      ['a1.b2.c88.d4.e5.f6.g7', 6],
    ];
    for (const [uri, n] of expect) {
      assert.deepEqual(await caller.session.call(uri), [n, uri], uri);
    }
    await assert.rejects(caller.session.call('a2.b2.c2.d2.e2'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_procedure');
    await router.close(50);
  });

  test('wildcard precedence compares runs of fixed components left to right (the matcher the dealer uses)', () => {
    assert.ok(compareWildcardPrecedence('a1.b2.c33..e5', 'a1.b2..d4.e5') < 0);
    assert.ok(compareWildcardPrecedence('a1.b2..d4.e5..g7', 'a1.b2..d4..f6.g7') < 0);
    assert.ok(compareWildcardPrecedence('a1.b2..d4.e5', 'a1.b2.c33..e5') > 0);
    assert.equal(matchesPattern('a.b.c', 'a..c', 'wildcard'), true);
    assert.equal(matchesPattern('a.b.c.d', 'a..c', 'wildcard'), false);
  });
});

describe('shared registrations', () => {
  test('roundrobin spreads calls over callees in registration order; a leaving callee drops out', async () => {
    const router = makeRouter();
    const a = await joinSession(router);
    const b = await joinSession(router);
    const caller = await joinSession(router);
    await a.session.register('s.rr', () => 'a', { invoke: 'roundrobin' });
    await b.session.register('s.rr', () => 'b', { invoke: 'roundrobin' });
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) seen.push(await caller.session.call('s.rr'));
    assert.deepEqual(seen, ['a', 'b', 'a', 'b']);
    a.transport.close();
    for (let i = 0; i < 2000 && router.realm('realm1')!.sessionCount > 2; i++) await delay(5);
    assert.deepEqual([await caller.session.call('s.rr'), await caller.session.call('s.rr')], ['b', 'b']);
    await router.close(50);
  });

  test('first and last; a different policy or a second single registration is refused', async () => {
    const router = makeRouter();
    const a = await joinSession(router);
    const b = await joinSession(router);
    await a.session.register('s.first', () => 'a', { invoke: 'first' });
    await b.session.register('s.first', () => 'b', { invoke: 'first' });
    await a.session.register('s.last', () => 'a', { invoke: 'last' });
    await b.session.register('s.last', () => 'b', { invoke: 'last' });
    assert.equal(await a.session.call('s.first'), 'a');
    assert.equal(await a.session.call('s.last'), 'b');
    const exists = (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.procedure_already_exists';
    await assert.rejects(b.session.register('s.first', () => 'x', { invoke: 'last' }), exists);
    await a.session.register('s.single', () => 1);
    await assert.rejects(b.session.register('s.single', () => 2), exists);
    await assert.rejects(b.session.register('s.single', () => 2, { invoke: 'roundrobin' }), exists);
    await router.close(50);
  });
});
