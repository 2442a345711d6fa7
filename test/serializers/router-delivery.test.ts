/**
 * A payload that one receiver's serializer cannot carry (a Set from a CBOR peer to a JSON one)
 * must fail only that delivery, never end the sender's session. The serializers do their part
 * (serialize() throws SERIALIZER_UNREPRESENTABLE); the router's outbound path (router/outbound.ts)
 * turns that into a failed delivery (docs/router.md).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cbor, json } from '../../runtime/serializers/index.js';
import { makeRouter, joinSession, delay, withTimeout } from '../router/helpers.js';

describe('a payload one receiver cannot carry fails only that delivery', () => {
  test('CBOR publisher, JSON and CBOR subscribers: the JSON one misses the event, nobody is aborted', async () => {
    const router = makeRouter();
    try {
      const pub = await joinSession(router, {}, cbor);
      const viaJson = await joinSession(router, {}, json);
      const viaCbor = await joinSession(router, {}, cbor);
      const jsonEvents: unknown[] = [];
      const cborEvents: unknown[] = [];
      await viaJson.session.subscribe('t', (args) => void jsonEvents.push(args));
      await viaCbor.session.subscribe('t', (args) => void cborEvents.push(args));
      await pub.session.publish('t', [new Set([1])], {}, { acknowledge: true });
      for (let i = 0; i < 200 && cborEvents.length === 0; i++) await delay(5);
      assert.deepEqual(cborEvents, [[new Set([1])]]);
      assert.deepEqual(jsonEvents, []);
      assert.ok(pub.transport.isOpen && viaJson.transport.isOpen && viaCbor.transport.isOpen);
    } finally {
      await router.close(100);
    }
  });

  test('CBOR caller, JSON callee: the caller gets an ERROR and stays joined', async () => {
    const router = makeRouter();
    try {
      const caller = await joinSession(router, {}, cbor);
      const callee = await joinSession(router, {}, json);
      await callee.session.register('p', () => 1);
      // Bounded here: a caller whose callee was aborted may wait forever (issue 11).
      await withTimeout(assert.rejects(caller.session.call('p', [new Set([1])], {}, { timeout: 3000 })), 4000, 'call');
      assert.ok(caller.transport.isOpen && callee.transport.isOpen);
    } finally {
      await router.close(100);
    }
  });

  test('CBOR callee yielding a Set to a JSON caller: the caller gets an ERROR, the callee stays joined', async () => {
    const router = makeRouter();
    try {
      const caller = await joinSession(router, {}, json);
      const callee = await joinSession(router, {}, cbor);
      await callee.session.register('p', () => new Set([1]) as unknown as number);
      await withTimeout(assert.rejects(caller.session.call('p', [], {}, { timeout: 3000 })), 4000, 'call');
      assert.ok(caller.transport.isOpen && callee.transport.isOpen);
    } finally {
      await router.close(100);
    }
  });
});
