// Per-delivery failures: a message the router cannot encode for one receiver (its serializer
// cannot carry the payload another session sent) fails that delivery only, with a defined
// outcome, and never ends the process or an innocent session:
//   EVENT (publish, retained, testament, meta)  the subscriber misses it; the router logs a warning
//   RESULT / ERROR for a CALL                   the caller gets ERROR wamp.error.invalid_payload
//   INVOCATION                                  the caller gets ERROR wamp.error.invalid_payload
// The payloads decode for one serializer and cannot be encoded by another: NaN (MessagePack and
// CBOR carry it, JSON has no form for it: docs/payloads.md), nesting deeper than
// MessagePack's encoder goes, or a stub serializer that refuses a marker value.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { json, msgpack } from '../../runtime/serializers/index.js';
import type { TransportSerializer } from '../../runtime/transports/transport.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { ApplicationSession, type CloseDetails, type SessionDetails } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport, type WebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { connectRawSocketTransport } from '../../runtime/transports/rawsocket.js';
import { Router } from '../../runtime/router/router.js';
import { configureLogging } from '../../runtime/log.js';
import { makeRouter, joinSession, withTimeout, delay } from './helpers.js';

/** MessagePack carries NaN as a float64; JSON has no form for it (its serializer refuses it). */
const UNJSONABLE = Number.NaN;

function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** JSON, except that any message containing the string 'poison' fails to encode (a plain Error). */
const refusing: TransportSerializer = {
  name: 'refusing-json',
  isBinary: false,
  serialize(message) {
    const text = json.serialize(message) as string;
    if (text.includes('"poison"')) throw new Error('this serializer cannot carry poison');
    return text;
  },
  deserialize: (data) => json.deserialize(data),
};

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await delay(5);
  }
  throw new Error(`timed out: ${what}`);
}

let warnings: string[] = [];
beforeEach(() => {
  warnings = [];
  configureLogging('router:warn', { sink: (line) => void warnings.push(line) });
});
afterEach(() => configureLogging(undefined));

function watchLeaves(...sessions: ApplicationSession[]): CloseDetails[] {
  const left: CloseDetails[] = [];
  for (const s of sessions) s.on('leave', (d) => void left.push(d));
  return left;
}

describe('router: a message that cannot be encoded for one receiver', () => {
  test('the issue\'s crash: a 600-deep testament over JSON, a MessagePack subscriber, the first socket drops: the router lives on', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const join = async (serializer: 'json' | 'msgpack'): Promise<{ session: ApplicationSession; transport: WebSocketTransport }> => {
      const session = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise<SessionDetails>((resolve) => session.once('join', resolve));
      const transport = await connectWebSocketTransport(url!, { serializers: [serializer] });
      session.attach(transport);
      await withTimeout(joined, 5000, `join over ${serializer}`);
      return { session, transport };
    };
    try {
      const packed = await join('msgpack');
      const plain = await join('json');
      const leaver = await join('json');
      const got: Record<string, number> = { msgpack: 0, json: 0 };
      await packed.session.subscribe('t.testament', () => void got['msgpack']!++);
      await plain.session.subscribe('t.testament', () => void got['json']!++);
      const left = watchLeaves(packed.session, plain.session);
      // Whether the router takes a 600-deep payload at all is the decoders' nesting limit (a
      // separate change may refuse it at the door); either way no session but the sender's may
      // end and the router must live on. Accepted, the EVENT fails for MessagePack only.
      const accepted = await withTimeout(leaver.session.addTestament('t.testament', nested(600)).then(() => true, () => false), 5000, 'add_testament');
      if (accepted) {
        leaver.transport.connection.terminate(); // the socket drops: the testament goes out
        await until(() => got['json'] === 1, 'the JSON subscriber gets the testament');
        assert.equal(got['msgpack'], 0, 'the MessagePack subscriber misses the one event it cannot receive');
        assert.ok(warnings.some((w) => / warn .*EVENT/.test(w)), `a warning was logged: ${warnings.join('\n')}`);
      }
      const count = await withTimeout(packed.session.call('wamp.session.count'), 5000, 'count');
      // 2 once the sender is gone; refused at the door, the sender may still be there.
      assert.ok(accepted ? count === 2 : count === 2 || count === 3, `the MessagePack session goes on (${String(count)} sessions)`);
      assert.deepEqual(left, []);
      await packed.session.leave();
      await plain.session.leave();
    } finally {
      await router.close(50);
    }
  });

  test('publish: the subscriber that cannot receive the event misses it (logged); the others and the publisher go on', async () => {
    const router = makeRouter();
    const { session: publisher } = await joinSession(router, {}, msgpack);
    const { session: plain } = await joinSession(router, {}, json);
    const { session: poisoned } = await joinSession(router, {}, refusing);
    const { session: packed } = await joinSession(router, {}, msgpack);
    const seen: string[] = [];
    await plain.subscribe('t.pub', (args) => void seen.push(`json ${typeof args[0]}`));
    await poisoned.subscribe('t.pub', (args) => void seen.push(`refusing ${String(args[0])}`));
    await packed.subscribe('t.pub', (args) => void seen.push(`msgpack ${typeof args[0]}`));
    const left = watchLeaves(publisher, plain, poisoned, packed);
    await withTimeout(publisher.publish('t.pub', [UNJSONABLE], {}, { acknowledge: true }), 5000, 'publish huge');
    await withTimeout(publisher.publish('t.pub', ['poison'], {}, { acknowledge: true }), 5000, 'publish poison');
    await withTimeout(publisher.publish('t.pub', ['fine'], {}, { acknowledge: true }), 5000, 'publish fine');
    await until(() => seen.length >= 6, 'events');
    await delay(20);
    // UNJSONABLE reaches MessagePack only; 'poison' all but the refusing serializer; 'fine' everyone.
    assert.deepEqual(seen.sort(), ['json string', 'json string', 'msgpack number', 'msgpack string', 'msgpack string', 'refusing fine']);
    assert.deepEqual(left, []);
    assert.equal(warnings.filter((w) => / warn .*EVENT/.test(w)).length, 3, warnings.join('\n'));
    await router.close(50);
  });

  test('RESULT: a caller that cannot receive the result gets ERROR invalid_payload; the callee is not aborted', async () => {
    const router = makeRouter();
    const { session: callee } = await joinSession(router, {}, msgpack);
    const { session: caller } = await joinSession(router, {}, json);
    const left = watchLeaves(callee, caller);
    await callee.register('t.huge', () => UNJSONABLE);
    await callee.register('t.fine', () => 'fine');
    const invalidPayload = (e: unknown): boolean => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload';
    await assert.rejects(withTimeout(caller.call('t.huge'), 3000, 'call'), invalidPayload);
    // With a dealer timeout the caller still gets the ERROR at once, not the timeout.
    await assert.rejects(withTimeout(caller.call('t.huge', [], {}, { timeout: 60_000 }), 3000, 'timed call'), invalidPayload);
    assert.equal(await withTimeout(caller.call('t.fine'), 3000, 'next call'), 'fine');
    assert.deepEqual(left, []);
    await router.close(50);
  });

  test('ERROR: a callee error whose payload the caller cannot receive arrives as ERROR invalid_payload', async () => {
    const router = makeRouter();
    const { session: callee } = await joinSession(router, {}, msgpack);
    const { session: caller } = await joinSession(router, {}, json);
    const left = watchLeaves(callee, caller);
    await callee.register('t.fails', () => {
      throw new ApplicationError('com.example.failed', [UNJSONABLE]);
    });
    await assert.rejects(
      withTimeout(caller.call('t.fails'), 3000, 'call'),
      (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload',
    );
    assert.deepEqual(left, []);
    await router.close(50);
  });

  test('progressive RESULT: the caller gets ERROR invalid_payload, the callee is interrupted, its later answers are dropped', async () => {
    const router = makeRouter();
    const { session: callee } = await joinSession(router, {}, msgpack);
    const { session: caller } = await joinSession(router, {}, json);
    const left = watchLeaves(callee, caller);
    let interrupted = false;
    await callee.register('t.stream', async (_a, _k, details) => {
      details.signal.addEventListener('abort', () => void (interrupted = true));
      details.progress?.([1]);
      details.progress?.([UNJSONABLE]);
      await until(() => interrupted, 'interrupt');
      return 'done';
    });
    const progress: unknown[] = [];
    await assert.rejects(
      withTimeout(caller.call('t.stream', [], {}, { onProgress: (args) => void progress.push(args[0]) }), 3000, 'call'),
      (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload',
    );
    await until(() => interrupted, 'the callee is interrupted');
    assert.deepEqual(progress, [1]);
    assert.equal(await withTimeout(caller.call('wamp.session.count'), 3000, 'next call'), 2);
    assert.deepEqual(left, []);
    await router.close(50);
  });

  test('INVOCATION: a callee that cannot receive the call\'s arguments: the caller gets ERROR invalid_payload', async () => {
    const router = makeRouter();
    const { session: callee } = await joinSession(router, {}, json);
    const { session: caller } = await joinSession(router, {}, msgpack);
    const left = watchLeaves(callee, caller);
    let invoked = 0;
    await callee.register('t.echo', (args) => {
      invoked++;
      return String(args[0]);
    });
    await assert.rejects(
      withTimeout(caller.call('t.echo', [UNJSONABLE]), 3000, 'call'),
      (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload',
    );
    assert.equal(await withTimeout(caller.call('t.echo', ['x']), 3000, 'next call'), 'x');
    assert.equal(invoked, 1);
    assert.deepEqual(left, []);
    await router.close(50);
  });

  test('retained: an event a subscriber cannot receive is skipped for it, and for each later one, without aborting anyone', async () => {
    const router = makeRouter();
    const { session: publisher } = await joinSession(router, {}, msgpack);
    await withTimeout(publisher.publish('t.kept', [UNJSONABLE], {}, { retain: true, acknowledge: true }), 3000, 'retain');
    const late = await Promise.all([joinSession(router, {}, json), joinSession(router, {}, json), joinSession(router, {}, msgpack)]);
    const sessions = late.map((j) => j.session);
    const left = watchLeaves(publisher, ...sessions);
    const got: string[] = [];
    for (const [i, s] of sessions.entries()) {
      await withTimeout(s.subscribe('t.kept', (args, _k, d) => void got.push(`${i} ${typeof args[0]} ${d.retained === true}`), { getRetained: true }), 3000, `subscribe ${i}`);
    }
    await until(() => got.length === 1, 'the MessagePack subscriber gets the retained event');
    await delay(20);
    assert.deepEqual(got, ['2 number true']);
    for (const s of sessions) assert.equal(s.isOpen, true);
    assert.deepEqual(left, []);
    assert.equal(warnings.filter((w) => / warn .*EVENT/.test(w)).length, 2, warnings.join('\n'));
    await router.close(50);
  });

  test('a result larger than a RawSocket caller accepts: ERROR wamp.error.payload_size_exceeded, the callee goes on', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', port: 0 }] });
    const [url] = await router.start();
    try {
      const { session: callee } = await joinSession(router, {}, json);
      const caller = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise<SessionDetails>((resolve) => caller.once('join', resolve));
      // The caller's RawSocket handshake announces that it takes at most 4 KiB per message.
      caller.attach(await connectRawSocketTransport(url!, { serializer: 'json', maxMessageSize: 4096 }));
      await withTimeout(joined, 5000, 'join');
      const left = watchLeaves(callee, caller);
      await callee.register('t.big', () => 'x'.repeat(10_000));
      await assert.rejects(
        withTimeout(caller.call('t.big'), 3000, 'call'),
        (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.payload_size_exceeded',
      );
      assert.equal(await withTimeout(caller.call('wamp.session.count'), 3000, 'next call'), 2);
      assert.deepEqual(left, []);
      await caller.leave();
      caller.disconnect();
    } finally {
      await router.close(50);
    }
  });

  test('a WELCOME larger than a RawSocket client accepts: that join is refused with ABORT, the router goes on', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', port: 0 }] });
    const [url] = await router.start();
    try {
      const tiny = new ApplicationSession({ realm: 'realm1' });
      const refused = new Promise<CloseDetails>((resolve) => tiny.once('leave', resolve));
      // 512 bytes, the smallest maximum RawSocket can announce: less than our WELCOME.
      tiny.attach(await connectRawSocketTransport(url!, { serializer: 'json', maxMessageSize: 512 }));
      assert.equal((await withTimeout(refused, 5000, 'ABORT')).reason, 'wamp.error.invalid_payload');
      const { session } = await joinSession(router, {}, json);
      assert.equal(await withTimeout(session.call('wamp.session.count'), 3000, 'count'), 1);
    } finally {
      await router.close(50);
    }
  });
});
