// The client side of the Advanced Profile against a scripted router end (so each message the
// client sends, and what it does with each the router sends, is checked exactly): progressive
// call invocations both ways, INTERRUPT, registration and subscription revocation, testament
// helpers, call timeout and retention options.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { CLIENT_ROLES } from '../../runtime/wamp/session-roles.js';
import type { EventDetails, InvocationChunk, Registration, Subscription } from '../../runtime/wamp/types.js';
import { withTimeout, delay } from '../router/helpers.js';

const M = {
  HELLO: 1, WELCOME: 2, ERROR: 8, PUBLISH: 16, SUBSCRIBE: 32, SUBSCRIBED: 33, UNSUBSCRIBED: 35, EVENT: 36,
  CALL: 48, RESULT: 50, REGISTER: 64, REGISTERED: 65, UNREGISTERED: 67, INVOCATION: 68, INTERRUPT: 69, YIELD: 70,
} as const;

const ADVANCED_DEALER = { features: { progressive_call_invocations: true, progressive_call_results: true, call_canceling: true, call_timeout: true } };

async function welcomed(dealer: Record<string, unknown> = ADVANCED_DEALER) {
  const [client, server] = createMemoryPair();
  const inbox: unknown[][] = [];
  server.on('message', (m) => void inbox.push(m as unknown[]));
  const session = new ApplicationSession({ realm: 'realm1' });
  session.attach(client);
  const s = {
    session, server, inbox,
    async next(type: number): Promise<unknown[]> {
      for (let i = 0; i < 2000; i++) {
        const at = inbox.findIndex((m) => m[0] === type);
        if (at >= 0) return inbox.splice(at, 1)[0]!;
        await delay(5);
      }
      throw new Error(`no message ${type}; got ${JSON.stringify(inbox)}`);
    },
    async close(): Promise<void> {
      server.close();
      for (let i = 0; i < 400 && session.isConnected; i++) await delay(5);
    },
  };
  const hello = await s.next(M.HELLO);
  s.server.send([M.WELCOME, 4242, { roles: { broker: {}, dealer } }]);
  for (let i = 0; i < 2000 && !session.isOpen; i++) await delay(5);
  assert.ok(session.isOpen);
  return { ...s, hello };
}

async function registered(s: Awaited<ReturnType<typeof welcomed>>, procedure: string, endpoint: Parameters<ApplicationSession['register']>[1], id = 7): Promise<Registration> {
  const pending = s.session.register(procedure, endpoint);
  const reg = await s.next(M.REGISTER);
  s.server.send([M.REGISTERED, reg[1], id]);
  return await withTimeout(pending, 5000, 'register');
}

describe('client session: Advanced Profile (scripted router)', () => {
  test('HELLO announces exactly CLIENT_ROLES, including the new features', async () => {
    const s = await welcomed();
    const roles = (s.hello[2] as { roles: typeof CLIENT_ROLES }).roles;
    assert.deepEqual(roles, JSON.parse(JSON.stringify(CLIENT_ROLES)));
    assert.equal(roles.caller.features.progressive_call_invocations, true);
    assert.equal(roles.callee.features.progressive_call_invocations, true);
    assert.equal(roles.callee.features.call_canceling, true);
    assert.equal(roles.callee.features.registration_revocation, true);
    assert.equal(roles.subscriber.features.subscription_revocation, true);
    await s.close();
  });

  test('callProgressive: several CALLs with one request ID, progress until the final one; RESULT settles it', async () => {
    const s = await welcomed();
    const call = s.session.callProgressive('com.upload', { timeout: 2000, discloseMe: true });
    assert.equal(call.send(['a']), true);
    assert.equal(call.send(['b'], { n: 2 }), true);
    assert.equal(call.send(['c'], undefined, { final: true }), true);
    assert.equal(call.finished, true);
    const calls = [await s.next(M.CALL), await s.next(M.CALL), await s.next(M.CALL)];
    assert.deepEqual(calls.map((c) => c[1]), [calls[0]![1], calls[0]![1], calls[0]![1]]);
    assert.deepEqual(calls.map((c) => c[2]), [
      { timeout: 2000, disclose_me: true, progress: true },
      { timeout: 2000, disclose_me: true, progress: true },
      { timeout: 2000, disclose_me: true },
    ]);
    assert.deepEqual(calls.map((c) => c.slice(3)), [['com.upload', ['a']], ['com.upload', ['b'], { n: 2 }], ['com.upload', ['c']]]);
    assert.throws(() => call.send(['d']), /final chunk/);
    s.server.send([M.RESULT, calls[0]![1], {}, ['abc']]);
    assert.deepEqual(await withTimeout(call.result, 5000, 'result'), { args: ['abc'], kwargs: {} });
    // A plain call afterwards takes the next request ID.
    void s.session.call('x.next').catch(() => {});
    assert.equal((await s.next(M.CALL))[1], (calls[0]![1] as number) + 1);
    await s.close();
  });

  test('callProgressive: an early answer ends the stream (send returns false, nothing sent); no dealer support throws', async () => {
    const s = await welcomed();
    const call = s.session.callProgressive('com.upload');
    call.send([1]);
    const first = await s.next(M.CALL);
    s.server.send([M.ERROR, M.CALL, first[1], {}, 'com.error.too_big']);
    await assert.rejects(call.result, (e: unknown) => ApplicationError.is(e) && e.error === 'com.error.too_big');
    assert.equal(call.send([2]), false);
    assert.equal(call.send([3], undefined, { final: true }), false);
    await delay(10);
    assert.deepEqual(s.inbox.filter((m) => m[0] === M.CALL), []);
    await s.close();

    const plain = await welcomed({ features: { call_canceling: true } });
    assert.throws(() => plain.session.callProgressive('com.upload'), (e: unknown) => (e as { code?: string }).code === 'WAMP_FEATURE_NOT_SUPPORTED');
    await plain.close();
  });

  test('callee: progressive INVOCATIONs reach the endpoint as details.input; a late continuation is discarded', async () => {
    const s = await welcomed();
    let calls = 0;
    await registered(s, 'com.sum', async (args, _kwargs, details) => {
      calls++;
      let sum = args[0] as number;
      assert.ok(details.input !== undefined);
      const seen: InvocationChunk[] = [];
      for await (const chunk of details.input) {
        seen.push(chunk);
        sum += chunk.args[0] as number;
      }
      assert.deepEqual(seen.map((c) => c.final), [false, true]);
      return sum;
    });
    s.server.send([M.INVOCATION, 100, 7, { progress: true }, [1]]);
    await delay(5);
    s.server.send([M.INVOCATION, 100, 7, { progress: true }, [2]]);
    s.server.send([M.INVOCATION, 100, 7, {}, [3]]);
    const y = await s.next(M.YIELD);
    assert.deepEqual(y, [M.YIELD, 100, {}, [6]]);
    // The dealer did not know the call was over: the spec says drop it, with no reply.
    s.server.send([M.INVOCATION, 100, 7, {}, [4]]);
    await delay(20);
    assert.equal(calls, 1);
    assert.deepEqual(s.inbox.filter((m) => m[0] === M.YIELD || m[0] === M.ERROR), []);
    // A plain INVOCATION has no input.
    let hadInput: boolean | null = null;
    await registered(s, 'com.plain', (_a, _k, details) => void (hadInput = details.input !== undefined), 8);
    s.server.send([M.INVOCATION, 101, 8, {}, []]);
    await s.next(M.YIELD);
    assert.equal(hadInput, false);
    await s.close();
  });

  test('callee: an endpoint that answers before the final chunk ends the stream; later chunks are dropped', async () => {
    const s = await welcomed();
    await registered(s, 'com.first', (args) => args[0]);
    s.server.send([M.INVOCATION, 5, 7, { progress: true }, ['only-the-first']]);
    assert.deepEqual(await s.next(M.YIELD), [M.YIELD, 5, {}, ['only-the-first']]);
    s.server.send([M.INVOCATION, 5, 7, { progress: true }, ['x']]);
    s.server.send([M.INVOCATION, 5, 7, {}, ['y']]);
    await delay(20);
    assert.deepEqual(s.inbox.filter((m) => m[0] === M.YIELD || m[0] === M.ERROR), []);
    assert.ok(s.session.isOpen);
    await s.close();
  });

  test('INTERRUPT (kill) aborts the signal, fails the input stream, and the callee answers ERROR canceled', async () => {
    const s = await welcomed();
    let signalReason: unknown = null;
    await registered(s, 'com.stream', async (_args, _kwargs, details) => {
      details.signal.addEventListener('abort', () => (signalReason = details.signal.reason));
      for await (const _chunk of details.input!) {
        // consume until interrupted
      }
      return 'never';
    });
    s.server.send([M.INVOCATION, 9, 7, { progress: true }, [1]]);
    await delay(5);
    s.server.send([M.INTERRUPT, 9, { mode: 'kill' }]);
    const err = await s.next(M.ERROR);
    assert.deepEqual(err.slice(0, 5), [M.ERROR, M.INVOCATION, 9, {}, 'wamp.error.canceled']);
    assert.ok(ApplicationError.is(signalReason));
    await s.close();
  });

  test('INTERRUPT (killnowait) sends nothing back, even when the endpoint answers later; a timeout reason reaches the signal', async () => {
    const s = await welcomed();
    let finish!: (v: string) => void;
    let reason: unknown = null;
    await registered(s, 'com.slow', (_a, _k, details) => {
      details.signal.addEventListener('abort', () => (reason = details.signal.reason));
      return new Promise<string>((resolve) => (finish = resolve));
    });
    s.server.send([M.INVOCATION, 11, 7, {}, []]);
    await delay(5);
    s.server.send([M.INTERRUPT, 11, { mode: 'killnowait', reason: 'wamp.error.timeout' }]);
    await delay(5);
    finish('late');
    await delay(20);
    assert.deepEqual(s.inbox.filter((m) => m[0] === M.YIELD || m[0] === M.ERROR), []);
    assert.ok(ApplicationError.is(reason) && reason.error === 'wamp.error.timeout');
    await s.close();
  });

  test('INTERRUPT (kill) on an endpoint that ignores it: its YIELD still goes out (the dealer decides)', async () => {
    const s = await welcomed();
    let finish!: (v: string) => void;
    await registered(s, 'com.stubborn', () => new Promise<string>((resolve) => (finish = resolve)));
    s.server.send([M.INVOCATION, 12, 7, {}, []]);
    await delay(5);
    s.server.send([M.INTERRUPT, 12, { mode: 'kill' }]);
    finish('done anyway');
    assert.deepEqual(await s.next(M.YIELD), [M.YIELD, 12, {}, ['done anyway']]);
    await s.close();
  });

  test('a timeout the dealer forwards: forward_timeout on REGISTER; when it runs out, ERROR wamp.error.timeout, the signal aborts, a late answer is dropped', async () => {
    const s = await welcomed();
    let finish!: (v: string) => void;
    let reason: unknown = null;
    const pending = s.session.register('com.timed', (_a, _k, details) => {
      details.signal.addEventListener('abort', () => (reason = details.signal.reason));
      return new Promise<string>((resolve) => (finish = resolve));
    }, { forwardTimeout: true });
    const reg = await s.next(M.REGISTER);
    assert.deepEqual(reg[2], { forward_timeout: true });
    s.server.send([M.REGISTERED, reg[1], 7]);
    await pending;
    s.server.send([M.INVOCATION, 30, 7, { timeout: 30 }, []]);
    const err = await s.next(M.ERROR);
    assert.deepEqual(err.slice(0, 5), [M.ERROR, M.INVOCATION, 30, {}, 'wamp.error.timeout']);
    assert.ok(ApplicationError.is(reason) && reason.error === 'wamp.error.timeout');
    finish('too late');
    await delay(20);
    assert.deepEqual(s.inbox.filter((m) => m[0] === M.YIELD || m[0] === M.ERROR), []);
    // One that answers in time sends its YIELD (and its timer goes away).
    await registered(s, 'com.quick', () => 'fast', 8);
    s.server.send([M.INVOCATION, 31, 8, { timeout: 60_000 }, []]);
    assert.deepEqual(await s.next(M.YIELD), [M.YIELD, 31, {}, ['fast']]);
    await s.close();
  });

  test('registration revocation: UNREGISTERED with request 0 makes it inactive, emits registrationRevoked; a late INVOCATION gets no_such_registration', async () => {
    const s = await welcomed();
    const reg = await registered(s, 'com.revoked', () => 1, 77);
    const revoked = new Promise<[Registration, string | undefined]>((resolve) => s.session.once('registrationRevoked', (r, why) => resolve([r, why])));
    s.server.send([M.UNREGISTERED, 0, { registration: 77, reason: 'moving endpoint to other callee' }]);
    const [which, why] = await withTimeout(revoked, 5000, 'revoked');
    assert.equal(which, reg);
    assert.equal(why, 'moving endpoint to other callee');
    assert.equal(reg.active, false);
    assert.deepEqual(s.session.registrations, []);
    s.server.send([M.INVOCATION, 20, 77, {}, []]);
    assert.equal((await s.next(M.ERROR))[4], 'wamp.error.no_such_registration');
    // An unregister() of a revoked registration sends nothing.
    await reg.unregister();
    assert.ok(s.session.isOpen);
    await s.close();
  });

  test('subscription revocation: UNSUBSCRIBED with request 0 ends every local handler sharing it; later EVENTs are dropped', async () => {
    const s = await welcomed();
    const got: unknown[] = [];
    const p1 = s.session.subscribe('com.topic', (args) => void got.push(args[0]));
    const sub1 = await s.next(M.SUBSCRIBE);
    s.server.send([M.SUBSCRIBED, sub1[1], 55]);
    const p2 = s.session.subscribe('com.topic', (args) => void got.push(args[0]));
    const sub2 = await s.next(M.SUBSCRIBE);
    s.server.send([M.SUBSCRIBED, sub2[1], 55]);
    const [a, b] = await Promise.all([p1, p2]);
    s.server.send([M.EVENT, 55, 1, {}, ['before']]);
    const revoked = new Promise<[Subscription[], string | undefined]>((resolve) => s.session.once('subscriptionRevoked', (subs, why) => resolve([subs, why])));
    s.server.send([M.UNSUBSCRIBED, 0, { subscription: 55, reason: 'no longer authorized' }]);
    const [subs, why] = await withTimeout(revoked, 5000, 'revoked');
    assert.deepEqual(new Set(subs), new Set([a, b]));
    assert.equal(why, 'no longer authorized');
    assert.equal(a.active || b.active, false);
    s.server.send([M.EVENT, 55, 2, {}, ['after']]);
    await delay(20);
    assert.deepEqual(got, ['before', 'before']);
    assert.deepEqual(s.session.subscriptions, []);
    assert.ok(s.session.isOpen);
    await s.close();
  });

  test('get_retained on SUBSCRIBE, retain on PUBLISH, details.retained on EVENT', async () => {
    const s = await welcomed();
    const seen: EventDetails[] = [];
    const pending = s.session.subscribe('com.state', (_a, _k, d) => void seen.push(d), { getRetained: true });
    const sub = await s.next(M.SUBSCRIBE);
    assert.deepEqual(sub[2], { get_retained: true });
    s.server.send([M.SUBSCRIBED, sub[1], 3]);
    await pending;
    s.server.send([M.EVENT, 3, 9, { retained: true }, ['old']]);
    for (let i = 0; i < 200 && seen.length === 0; i++) await delay(5);
    assert.equal(seen[0]?.retained, true);
    await s.session.publish('com.state', ['new'], {}, { retain: true, excludeMe: false, eligibleAuthrole: ['viewer'] });
    const pub = await s.next(M.PUBLISH);
    assert.deepEqual(pub[2], { retain: true, exclude_me: false, eligible_authrole: ['viewer'] });
    await s.close();
  });

  test('addTestament / flushTestaments call the testament meta procedures with spec arguments', async () => {
    const s = await welcomed();
    const added = s.session.addTestament('com.gone', ['bye'], { who: 'me' }, { scope: 'detached', publishOptions: { retain: true, excludeMe: false, acknowledge: true } });
    const call = await s.next(M.CALL);
    assert.deepEqual(call.slice(2), [{}, 'wamp.session.add_testament', ['com.gone', ['bye'], { who: 'me' }], { scope: 'detached', publish_options: { retain: true, exclude_me: false } }]);
    s.server.send([M.RESULT, call[1], {}]);
    await withTimeout(added, 5000, 'add');
    const flushed = s.session.flushTestaments();
    const flush = await s.next(M.CALL);
    assert.deepEqual(flush.slice(2), [{}, 'wamp.session.flush_testaments']);
    s.server.send([M.RESULT, flush[1], {}]);
    await withTimeout(flushed, 5000, 'flush');
    await assert.rejects(s.session.addTestament('com.gone', [], {}, { scope: 'forever' as 'destroyed' }), /scope/);
    await s.close();
  });

  test('call timeout goes to the dealer as CALL.Options.timeout; a bad timeout is refused naming it', async () => {
    const s = await welcomed();
    const pending = s.session.call('com.slow', [], {}, { timeout: 250 });
    const call = await s.next(M.CALL);
    assert.deepEqual(call[2], { timeout: 250 });
    s.server.send([M.ERROR, M.CALL, call[1], {}, 'wamp.error.timeout']);
    await assert.rejects(pending, (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.timeout');
    await assert.rejects(s.session.call('com.slow', [], {}, { timeout: 1.5 }), /timeout must be a non-negative integer.*1\.5/);
    await s.close();
  });
});
