// The client side of the session state machine: what a misbehaving router gets.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ApplicationSession, type CloseDetails } from '../../runtime/wamp/session.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { withTimeout, delay } from '../router/helpers.js';
import { BaseTransport } from '../../runtime/transports/transport.js';
import { createError } from '../../runtime/errors.js';
import { TransportErrorCode } from '../../runtime/transports/error-codes.js';

/** A transport whose close() does not take effect, as a WebSocket's close handshake lingers. */
class LingeringTransport extends BaseTransport {
  readonly serializerName = 'memory';
  readonly peer = 'lingering';
  readonly sent: unknown[][] = [];
  closeCalls = 0;
  send(message: unknown[]): void {
    this.sent.push(message);
  }
  close(): void {
    this.closeCalls++;
  }
  inject(message: unknown): void {
    this.deliver(message);
  }
  injectUndecodable(): void {
    this.fail(createError(TransportErrorCode.BAD_MESSAGE, 'not JSON'));
  }
}

const M = { HELLO: 1, WELCOME: 2, ABORT: 3, CHALLENGE: 4, GOODBYE: 6, ERROR: 8, SUBSCRIBED: 33, EVENT: 36, CALL: 48, RESULT: 50 } as const;

/** A session attached to a scripted router end; returns the router end's inbox. */
function scripted() {
  const [client, server] = createMemoryPair();
  const inbox: unknown[][] = [];
  let closed = false;
  server.on('message', (m) => void inbox.push(m as unknown[]));
  server.on('close', () => void (closed = true));
  const session = new ApplicationSession({ realm: 'realm1' });
  const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
  session.attach(client);
  return {
    session, server, inbox, left,
    get closed() {
      return closed;
    },
    async next(type: number): Promise<unknown[]> {
      for (let i = 0; i < 2000; i++) {
        const at = inbox.findIndex((m) => m[0] === type);
        if (at >= 0) return inbox.splice(at, 1)[0]!;
        await delay(5);
      }
      throw new Error(`no message ${type}; got ${JSON.stringify(inbox)}`);
    },
  };
}

async function welcomed() {
  const s = scripted();
  const hello = await s.next(M.HELLO);
  assert.equal(hello[1], 'realm1');
  const roles = (hello[2] as { roles: Record<string, unknown> }).roles;
  assert.deepEqual(Object.keys(roles).sort(), ['callee', 'caller', 'publisher', 'subscriber']);
  s.server.send([M.WELCOME, 12345, { roles: { broker: {}, dealer: {} } }]);
  for (let i = 0; i < 2000 && !s.session.isOpen; i++) await delay(5);
  assert.equal(s.session.id, 12345);
  return s;
}

describe('client session: protocol violations by the router', () => {
  for (const [name, bad] of [
    ['a malformed message', ['not', 'wamp']],
    ['a second WELCOME', [M.WELCOME, 1, { roles: {} }]],
    ['a RESULT for a call never made', [M.RESULT, 99, {}]],
    ['a SUBSCRIBED for a request never sent', [M.SUBSCRIBED, 77, 5]],
    ['an ERROR for a request never sent', [M.ERROR, M.CALL, 5, {}, 'x.y']],
  ] as const) {
    test(`${name}: ABORT wamp.error.protocol_violation and the transport closes`, async () => {
      const s = await welcomed();
      s.server.send(bad as unknown as unknown[]);
      const abort = await s.next(M.ABORT);
      assert.equal(abort[2], 'wamp.error.protocol_violation');
      const details = await withTimeout(s.left, 10000, 'leave');
      assert.equal(details.reason, 'wamp.error.protocol_violation');
      for (let i = 0; i < 2000 && !s.closed; i++) await delay(5);
      assert.ok(s.closed);
    });
  }

  test('an EVENT before WELCOME is a violation too', async () => {
    const s = scripted();
    await s.next(M.HELLO);
    s.server.send([M.EVENT, 1, 2, {}]);
    const abort = await s.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
  });

  test('ABORT instead of WELCOME: join rejects with the reason; onLeave runs', async () => {
    const [client, server] = createMemoryPair();
    server.on('message', (m) => {
      if ((m as unknown[])[0] === M.HELLO) server.send([M.ABORT, { message: 'nope' }, 'wamp.error.no_such_realm']);
    });
    const session = new ApplicationSession();
    const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
    session.attach(client);
    await assert.rejects(session.join('realm9'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_realm');
    assert.deepEqual(await left, { reason: 'wamp.error.no_such_realm', message: 'nope' });
  });

  test('a CHALLENGE without an authenticator: ABORT authentication_failed', async () => {
    const s = scripted();
    await s.next(M.HELLO);
    s.server.send([M.CHALLENGE, 'ticket', {}]);
    const abort = await s.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.authentication_failed');
  });

  test('pending calls fail with WAMP_SESSION_LOST when the transport drops', async () => {
    const s = await welcomed();
    const pending = s.session.call('x.slow');
    await s.next(M.CALL);
    s.server.close();
    await assert.rejects(withTimeout(pending, 10000, 'call'), (e: unknown) => (e as { code?: string }).code === 'WAMP_SESSION_LOST');
    assert.equal((await s.left).reason, 'wamp.close.transport_lost');
  });

  test('canceling a call with a router that does not announce call_canceling: no CANCEL, the call rejects locally, a late RESULT is ignored', async () => {
    const s = await welcomed();
    const controller = new AbortController();
    const pending = s.session.call('x.slow', [], {}, { signal: controller.signal });
    const call = await s.next(M.CALL);
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    s.server.send([M.RESULT, call[1], {}, ['late']]);
    await delay(20);
    assert.deepEqual(s.inbox.filter((m) => m[0] === 49 || m[0] === M.ABORT), []);
    assert.ok(s.session.isOpen);
  });

  test('after the router ABORTs a joined session, further messages are ignored, not answered', async () => {
    const s = await welcomed();
    s.session.onLeave = () => {}; // keep the transport open (the default disconnects)
    s.server.send([M.ABORT, { message: 'bye' }, 'wamp.close.killed']);
    s.server.send([M.RESULT, 99, {}]);
    s.server.send(['not', 'wamp']);
    s.server.send([M.EVENT, 1, 2, {}]);
    assert.equal((await withTimeout(s.left, 10000, 'leave')).reason, 'wamp.close.killed');
    await delay(20); // memory delivery is by microtask: any answer would be in by now
    assert.deepEqual(s.inbox, []);
  });

  test('after our ABORT, messages arriving while the transport closes are ignored, not answered', async () => {
    const transport = new LingeringTransport();
    const session = new ApplicationSession({ realm: 'realm1' });
    session.attach(transport);
    assert.equal(transport.sent[0]?.[0], M.HELLO);
    transport.inject([M.WELCOME, 5, { roles: { broker: {}, dealer: {} } }]);
    assert.ok(session.isOpen);
    transport.inject([M.RESULT, 99, {}]); // a violation: ABORT, then close
    transport.inject([M.RESULT, 98, {}]);
    transport.inject(['not', 'wamp']);
    transport.injectUndecodable();
    transport.inject([M.WELCOME, 6, { roles: { broker: {} } }]);
    assert.deepEqual(transport.sent.map((m) => m[0]), [M.HELLO, M.ABORT]);
    assert.ok(transport.closeCalls >= 1); // the ABORT path, and onLeave's default disconnect()
  });

  test("tolerated: fox-wamp's null Arguments/ArgumentsKw and a null Details are read as absent", async () => {
    const s = await welcomed();
    const one = s.session.call('x.one');
    const none = s.session.callResult('x.none');
    const first = await s.next(M.CALL);
    const second = await s.next(M.CALL);
    s.server.send([M.RESULT, first[1], {}, [1], null]);
    s.server.send([M.RESULT, second[1], null, null, null]);
    assert.equal(await withTimeout(one, 10000, 'call'), 1);
    const result = await withTimeout(none, 10000, 'call');
    assert.deepEqual([result.args, result.kwargs], [[], {}]);
    const events: unknown[] = [];
    const subscribing = s.session.subscribe('x.topic', (args, kwargs) => void events.push([args, kwargs]));
    const subscribe = await s.next(32);
    s.server.send([M.SUBSCRIBED, subscribe[1], 7]);
    await withTimeout(subscribing, 10000, 'subscribe');
    s.server.send([M.EVENT, 7, 1, { topic: 'x.topic' }, null, null]);
    s.server.send([M.EVENT, 7, 2, null, ['a'], null]);
    for (let i = 0; i < 2000 && events.length < 2; i++) await delay(5);
    assert.deepEqual(events, [[[], {}], [['a'], {}]]);
    assert.ok(s.session.isOpen);
    assert.deepEqual(s.inbox, []);
  });

  test('router GOODBYE is answered with goodbye_and_out', async () => {
    const s = await welcomed();
    s.server.send([M.GOODBYE, {}, 'wamp.close.system_shutdown']);
    const reply = await s.next(M.GOODBYE);
    assert.equal(reply[2], 'wamp.close.goodbye_and_out');
    assert.equal((await s.left).reason, 'wamp.close.system_shutdown');
  });
});
