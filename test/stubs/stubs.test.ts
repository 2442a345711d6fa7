/**
 * wampkit/stubs on its own: the API version check generated modules make at load, option
 * checks, process-wide outbound validation, and what happens to invalid events without an
 * onInvalid hook (logged in area `stubs`: each at debug, at most one warn line per
 * subscription and second otherwise).
 */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { isWampkitError } from 'wampkit';
import {
  CallerStub, InvalidPayloadError, STUBS_API_MIN, STUBS_API_VERSION, StubsErrorCode, call, callProgressive, configureStubs, eventHandler, requireStubsApi, single,
  type PayloadSchema,
} from 'wampkit/stubs';
import { configureLogging } from '../../runtime/log.js';
import { STUBS_API } from '../../codegen/emit/view.js';
import type { EventDetails, WampSession } from '../../runtime/wamp/types.js';

/** A schema that accepts numbers only, written the way zod answers. */
const numberSchema: PayloadSchema<number> = {
  safeParse: (v) => (typeof v === 'number' ? { success: true, data: v } : { success: false, error: { issues: [{ path: [0], message: 'Expected number', code: 'invalid_type' }] } }),
};
const argsSchema: PayloadSchema<[number]> = {
  safeParse: (v) => (Array.isArray(v) && typeof v[0] === 'number' ? { success: true, data: [v[0]] } : { success: false, error: { issues: [{ path: [0], message: 'Expected number', code: 'invalid_type' }] } }),
};

const details = (topic: string): EventDetails => ({ topic, subscription: 1, publication: 2 });

afterEach(() => {
  configureLogging(undefined);
  configureStubs({});
});

describe('wampkit/stubs', () => {
  test('the API wampgen stamps is one this runtime serves; others fail at load with a typed error', () => {
    assert.ok(STUBS_API >= STUBS_API_MIN && STUBS_API <= STUBS_API_VERSION, 'the generator and the runtime agree');
    assert.doesNotThrow(() => requireStubsApi(STUBS_API));
    for (const bad of [STUBS_API_VERSION + 1, STUBS_API_MIN - 1, 1.5]) {
      assert.throws(() => requireStubsApi(bad), (e: unknown) => isWampkitError(e) && e.code === StubsErrorCode.API_MISMATCH && /wampkit\/stubs API/.test(e.message));
    }
    assert.throws(() => requireStubsApi(STUBS_API_VERSION + 1), /update wampkit/);
  });

  test('bad options are named at the boundary', () => {
    assert.throws(() => configureStubs({ validateOutbound: 'yes' as unknown as boolean }), /validateOutbound must be true or false, got "yes"/);
    const session = {} as WampSession;
    assert.throws(() => new CallerStub(session, { validateOutbound: 1 as unknown as boolean }), (e: unknown) => isWampkitError(e) && e.code === StubsErrorCode.INVALID_OPTION);
  });

  test('outbound validation can be switched on process-wide, and a stub\'s own setting wins', async () => {
    let sent = 0;
    const session = { callResult: async () => { sent++; return { args: [1], kwargs: {} }; } } as unknown as WampSession;
    const send = (stub: CallerStub) => call(stub, 'com.example.f', { args: argsSchema }, ['x'], undefined, undefined, single(numberSchema), []);
    await send(new CallerStub(session));
    assert.equal(sent, 1, 'off by default');
    configureStubs({ validateOutbound: true });
    await assert.rejects(send(new CallerStub(session)), InvalidPayloadError);
    assert.equal(sent, 1, 'nothing sent');
    await send(new CallerStub(session, { validateOutbound: false }));
    assert.equal(sent, 2, 'the stub\'s own setting wins');
  });

  test('a canceled progressive call yields no more progressive results, even ones already buffered', async () => {
    let progress: ((args: unknown[]) => void) | undefined;
    let fail: ((e: unknown) => void) | undefined;
    const session = {
      callResult: (_uri: string, _a: unknown[], _k: unknown, options: { onProgress?: (args: unknown[]) => void; signal?: AbortSignal }) => new Promise((_, reject) => {
        progress = options.onProgress;
        fail = reject;
        options.signal?.addEventListener('abort', () => reject(new Error('AbortError')), { once: true });
      }),
    } as unknown as WampSession;
    const controller = new AbortController();
    const running = callProgressive(new CallerStub(session), 'com.example.count', { args: argsSchema }, [3], undefined, { signal: controller.signal }, numberSchema, single(numberSchema), []);
    await new Promise((r) => setImmediate(r));
    for (const n of [1, 2, 3]) progress?.([n]);
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of running) {
        seen.push(n);
        if (seen.length === 2) controller.abort();
      }
    }, /AbortError/);
    assert.deepEqual(seen, [1, 2], 'the third, already buffered, is dropped');
    progress?.([4]);
    void fail;
  });

  test('an invalid event without onInvalid: logged at debug each time when the area is at debug', async () => {
    const lines: string[] = [];
    configureLogging('stubs', { sink: (l) => lines.push(l) });
    const handler = eventHandler('moved', argsSchema, undefined, () => assert.fail('never reaches the handler'));
    for (let i = 0; i < 3; i++) await handler(['x'], {}, details('com.example.geo.moved'));
    assert.equal(lines.length, 3);
    assert.equal(lines[0], 'wampkit:stubs debug invalid event on com.example.geo.moved (moved) dropped: 0: Expected number');
  });

  test('at warn, at most one line per subscription and second, counting what it left out', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 10_000 });
    const lines: string[] = [];
    configureLogging('*:warn', { sink: (l) => lines.push(l) });
    const a = eventHandler('moved', argsSchema, undefined, () => undefined);
    const b = eventHandler('moved', argsSchema, undefined, () => undefined);
    for (let i = 0; i < 5; i++) await a(['x'], {}, details('com.example.a'));
    await b(['x'], {}, details('com.example.b'));
    assert.deepEqual(lines.map((l) => l.split(' dropped')[0]), ['wampkit:stubs warn invalid event on com.example.a (moved)', 'wampkit:stubs warn invalid event on com.example.b (moved)']);
    t.mock.timers.tick(1000);
    await a(['x'], {}, details('com.example.a'));
    assert.equal(lines.length, 3);
    assert.match(lines[2] ?? '', /\(4 more dropped in the last second\)$/);
  });

  test('with logging off nothing is written, and a throwing onInvalid hook does not reach the session', async () => {
    const lines: string[] = [];
    configureLogging(undefined, { sink: (l) => lines.push(l) });
    await eventHandler('moved', argsSchema, undefined, () => undefined)(['x'], {}, details('t'));
    assert.deepEqual(lines, []);
    const throwing = eventHandler('moved', argsSchema, { onInvalid: () => { throw new Error('hook'); } }, () => undefined);
    assert.doesNotThrow(() => throwing(['x'], {}, details('t')));
  });
});
