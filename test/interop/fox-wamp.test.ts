// Our client against fox-wamp (npm), the maintained Node WAMP router, started as a child process
// on 127.0.0.1 with an ephemeral port (bench/wamp/fox-router.ts, shared with the bench): the four
// actions, progressive results, errors, and leaving. fox-wamp speaks only wamp.2.json (its
// WebSocket server accepts no other subprotocol), so there is no MessagePack run to make: one
// session offers our default list (cbor, msgpack, json) and must settle on JSON, the other asks
// for JSON alone. fox-wamp writes `null` for absent Arguments/ArgumentsKw (RESULT
// [50, 1, {}, [1], null]), which our client reads as absent (docs/wamp-protocol.md).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type CloseDetails, type SessionDetails } from '../../runtime/wamp/session.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import type { SerializerName } from '../../runtime/serializers/types.js';
import { foxWampAvailable } from '../../bench/wamp/fox-router.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const skip = foxWampAvailable() ? false : 'fox-wamp is not installed (npm devDependency)';
const routerScript = fileURLToPath(new URL('./peers/fox-wamp-router.ts', import.meta.url));

async function joined(url: string, serializers?: SerializerName[]): Promise<{ session: ApplicationSession; serializer: string }> {
  const session = new ApplicationSession({ realm: 'realm1' });
  const join = new Promise<SessionDetails>((resolve, reject) => {
    session.once('join', resolve);
    session.once('leave', (d: CloseDetails) => reject(new Error(`left: ${d.reason} ${d.message ?? ''}`)));
  });
  const transport = await connectWebSocketTransport(url, serializers === undefined ? {} : { serializers });
  session.attach(transport);
  await withTimeout(join, 15_000, 'join fox-wamp');
  return { session, serializer: transport.serializerName };
}

describe('our client against fox-wamp as the router', { skip }, () => {
  let fox: PeerProcess;
  let callee: ApplicationSession;
  let caller: ApplicationSession;
  const serializers: string[] = [];

  before(async () => {
    fox = new PeerProcess(process.execPath, ['--import', 'tsx', routerScript]);
    const url = (await fox.waitFor(/^ready (\S+)$/m, 60_000))[1]!;
    const c1 = await joined(url); // offers cbor, msgpack, json
    const c2 = await joined(url, ['json']);
    [callee, caller] = [c1.session, c2.session];
    serializers.push(c1.serializer, c2.serializer);
  });

  after(async () => {
    for (const s of [caller, callee]) {
      if (s?.isOpen) await withTimeout(s.leave(), 10_000, 'leave').catch(() => s.disconnect());
    }
    await fox?.stop();
  });

  test('fox-wamp speaks JSON only: offered cbor, msgpack and json, we settle on json', () => {
    assert.deepEqual(serializers, ['json', 'json']);
    assert.equal(callee.details?.realm, 'realm1');
  });

  test('register and call: args, kwargs, no args at all, and a single result', async () => {
    await callee.register('fox.echo', (args, kwargs) => new Result(args, kwargs));
    await callee.register('fox.nothing', () => undefined);
    await callee.register('fox.add2', ([a, b]) => (a as number) + (b as number));
    assert.equal(await caller.call('fox.add2', [2, 3]), 5);
    assert.deepEqual(await caller.callResult('fox.echo', ['a', 2], { k: 'v' }), { args: ['a', 2], kwargs: { k: 'v' } });
    // fox-wamp answers [RESULT, id, {}, null, null]: read as no result.
    assert.deepEqual(await caller.callResult('fox.nothing'), { args: [], kwargs: {} });
    assert.equal(await caller.call('fox.nothing'), undefined);
    // And invokes with [INVOCATION, id, reg, {}, null, {}] when the call had no arguments.
    assert.deepEqual(await caller.callResult('fox.echo'), { args: [], kwargs: {} });
  });

  test('progressive call results', async () => {
    await callee.register('fox.countdown', ([from], _kwargs, details) => {
      assert.ok(details.progress, 'fox-wamp forwards receive_progress');
      for (let i = from as number; i > 0; i--) details.progress!([i]);
      return 'liftoff';
    });
    const progress: unknown[] = [];
    const result = await caller.call('fox.countdown', [3], {}, { onProgress: (args) => void progress.push(args[0]) });
    assert.deepEqual(progress, [3, 2, 1]);
    assert.equal(result, 'liftoff');
  });

  test('errors: no such procedure, and an application error (fox-wamp reports callee_failure with the URI as argument)', async () => {
    await assert.rejects(caller.call('fox.missing'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_procedure');
    await callee.register('fox.fail', () => {
      throw new ApplicationError('com.example.bad_input', ['no']);
    });
    await assert.rejects(caller.call('fox.fail'), (e: unknown) =>
      ApplicationError.is(e) && e.error === 'wamp.error.callee_failure' && e.args[0] === 'com.example.bad_input');
    // The sessions are still open: a tolerated RESULT or ERROR is no violation.
    assert.ok(caller.isOpen && callee.isOpen);
  });

  test('subscribe and publish: acknowledged, with and without a payload; unsubscribe', async () => {
    const events: unknown[] = [];
    const sub = await callee.subscribe('fox.topic', (args, kwargs, details) => void events.push([args, kwargs, details.topic]));
    const publication = await caller.publish('fox.topic', ['hi', 1], { k: true }, { acknowledge: true });
    assert.ok(publication !== undefined && Number.isInteger(publication.id));
    // fox-wamp forwards a PUBLISH without payload as [EVENT, sub, pub, details, null, null].
    await caller.publish('fox.topic', undefined, undefined, { acknowledge: true });
    for (let i = 0; i < 2000 && events.length < 2; i++) await delay(5);
    assert.deepEqual(events, [[['hi', 1], { k: true }, 'fox.topic'], [[], {}, 'fox.topic']]);
    await sub.unsubscribe();
    await caller.publish('fox.topic', ['after'], {}, { acknowledge: true });
    await delay(50);
    assert.equal(events.length, 2);
  });

  test('unregister, then leave with GOODBYE', async () => {
    const reg = await callee.register('fox.temp', () => 1);
    assert.equal(await caller.call('fox.temp'), 1);
    await reg.unregister();
    await assert.rejects(caller.call('fox.temp'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_procedure');
    const left = new Promise<CloseDetails>((resolve) => caller.once('leave', resolve));
    await withTimeout(caller.leave(), 10_000, 'leave');
    // fox-wamp answers GOODBYE with the reason wamp.error.goodbye_and_out (the spec's is wamp.close.goodbye_and_out).
    assert.equal((await left).reason, 'wamp.error.goodbye_and_out');
  });
});
