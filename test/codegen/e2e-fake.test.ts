/**
 * Generated callers, callees, publishers and subscribers (the checked-in golden output of
 * schemas/) talking through an in-memory fake router.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationError, Result } from 'wampkit';
import {
  CalculatorCaller, ChatPublisher, ChatServiceCaller, DivisionByZeroError, InvalidPayloadError, LedgerCaller, OverflowError,
  Severity, registerCalculator, registerChatService, registerLedger, subscribeChat,
  type ChatMessage, type InvalidEvent, type PresenceEvent,
} from './fixtures/examples/expected/index.js';
import { FakeRouter } from './fake-session.js';

const message = (id: string): ChatMessage => ({
  id, author: { id: 'u1', name: 'Ada' }, text: 'hi', sentAt: 1, tags: ['a'], reactions: { '+1': 2 }, attachment: new Uint8Array([1, 2, 3]),
});

async function calculator() {
  const router = new FakeRouter();
  const callee = router.session();
  const seen: { procedure?: string; kwargs?: unknown } = {};
  const regs = await registerCalculator(callee, {
    add2: (x, y) => x + y,
    div: (x, y) => {
      if (y === 0) throw new DivisionByZeroError({ dividend: x }, 'cannot divide by zero');
      return x / y;
    },
    divmod: (x, y) => [Math.floor(x / y), x % y],
    sum: (values, options) => {
      seen.kwargs = options;
      const total = values.reduce((a, b) => a + b, 0);
      if (total > 1000) throw new OverflowError({ limit: 1000 });
      return options.decimals === undefined ? total : Number(total.toFixed(options.decimals));
    },
    async *countdown(from, details) {
      for (let i = from; i > 0 && !details.signal.aborted; i--) yield i;
      return 'done';
    },
    echo: (text, details) => {
      seen.procedure = details.procedure;
      return text;
    },
  });
  return { router, caller: new CalculatorCaller(router.session()), raw: router.session(), regs, seen };
}

describe('generated calculator over a fake session', () => {
  test('positional arguments and a single result', async () => {
    const { caller } = await calculator();
    assert.equal(await caller.add2(2, 3), 5);
  });

  test('registers every procedure with the options the schema fixes', async () => {
    const { router, regs } = await calculator();
    assert.equal(regs.registrations.length, 6);
    const echo = router.registrations.find((r) => r.uri === 'com.example.calc.echo');
    assert.equal(echo?.match, 'prefix');
    await regs.unregister();
    assert.ok(regs.registrations.every((r) => !r.active));
  });

  test('invalid arguments are rejected with wamp.error.invalid_argument and the zod issues', async () => {
    const { raw } = await calculator();
    await assert.rejects(raw.call('com.example.calc.add2', ['2', 3]), (e: unknown) => {
      assert.ok(ApplicationError.is(e));
      assert.equal(e.error, 'wamp.error.invalid_argument');
      const issues = e.kwargs['issues'] as { path: string; message: string }[];
      assert.equal(issues[0]?.path, '0');
      return true;
    });
    await assert.rejects(raw.call('com.example.calc.add2', [1, 2, 3]), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_argument');
  });

  test('a declared application error arrives as its typed class', async () => {
    const { caller } = await calculator();
    await assert.rejects(caller.div(7, 0), (e: unknown) => {
      assert.ok(e instanceof DivisionByZeroError);
      assert.equal(e.detail.dividend, 7);
      assert.equal(e.error, 'com.example.calc.division_by_zero');
      assert.equal(e.message, 'com.example.calc.division_by_zero: cannot divide by zero');
      return true;
    });
    assert.equal(await caller.div(9, 3), 3);
  });

  test('an undeclared error URI stays a plain ApplicationError', async () => {
    const router = new FakeRouter();
    await router.session().register('com.example.calc.div', () => { throw new ApplicationError('com.example.other'); });
    await assert.rejects(new CalculatorCaller(router.session()).div(1, 1), (e: unknown) => ApplicationError.is(e) && !(e instanceof DivisionByZeroError));
  });

  test('multiple results come back as a tuple', async () => {
    const { caller } = await calculator();
    assert.deepEqual(await caller.divmod(7, 2), [3, 1]);
  });

  test('a Kwargs<T> parameter travels as keyword arguments', async () => {
    const { caller, seen } = await calculator();
    assert.equal(await caller.sum([1.234, 1], { decimals: 1 }), 2.2);
    assert.deepEqual(seen.kwargs, { decimals: 1 });
    await assert.rejects(caller.sum([999, 2], {}), OverflowError);
  });

  test('progressive results are an async iterable, the final result a promise', async () => {
    const { caller } = await calculator();
    const run = caller.countdown(3);
    const seen: number[] = [];
    for await (const n of run) seen.push(n);
    assert.deepEqual(seen, [3, 2, 1]);
    assert.equal(await run.result, 'done');
  });

  test('a prefix member gets the called URI; the caller checks it matches the pattern', async () => {
    const { caller, seen } = await calculator();
    assert.equal(await caller.echo('com.example.calc.echo.loud', 'hey'), 'hey');
    assert.equal(seen.procedure, 'com.example.calc.echo.loud');
    await assert.rejects(caller.echo('com.example.other', 'x'), /does not match the prefix pattern/);
  });

  test('an AbortSignal cancels the call', async () => {
    const router = new FakeRouter();
    let interrupted = false;
    await router.session().register('com.example.calc.add2', (_a, _k, details) => new Promise((resolve) => {
      details.signal.addEventListener('abort', () => { interrupted = true; resolve(0); });
    }));
    const controller = new AbortController();
    const pending = new CalculatorCaller(router.session()).add2(1, 2, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    assert.equal(interrupted, true);
  });

  test('a result that does not match the schema rejects with InvalidPayloadError', async () => {
    const router = new FakeRouter();
    await router.session().register('com.example.calc.add2', () => 'five');
    await router.session().register('com.example.calc.divmod', () => new Result([1]));
    const caller = new CalculatorCaller(router.session());
    await assert.rejects(caller.add2(2, 3), (e: unknown) => e instanceof InvalidPayloadError && e.issues.length === 1);
    await assert.rejects(caller.divmod(2, 3), InvalidPayloadError);
  });

  test('an invalid progressive result fails the iteration and the result', async () => {
    const router = new FakeRouter();
    await router.session().register('com.example.calc.countdown', (_a, _k, details) => {
      details.progress?.([1]);
      details.progress?.(['two']);
      return 'done';
    });
    const run = new CalculatorCaller(router.session()).countdown(2);
    const seen: number[] = [];
    await assert.rejects((async () => { for await (const n of run) seen.push(n); })(), InvalidPayloadError);
    assert.deepEqual(seen, [1]);
    await assert.rejects(run.result, InvalidPayloadError);
  });
});

describe('generated chat topics over a fake session', () => {
  test('published events reach typed handlers; schema options are applied', async () => {
    const router = new FakeRouter();
    const received: ChatMessage[] = [];
    const presence: PresenceEvent[] = [];
    const subs = await subscribeChat(router.session(), {
      message: (msg) => { received.push(msg); },
      presence: (event) => { presence.push(event); },
    });
    assert.equal(subs.subscriptions.length, 2);
    const pubSession = router.session();
    const pub = new ChatPublisher(pubSession);
    const ack = await pub.message(message('m1'));
    assert.ok(ack !== undefined, 'acknowledge is fixed by the schema');
    await pub.presence({ kind: 'left', user: { id: 'u2', name: 'Bob' }, reason: null }, { excludeMe: true });
    assert.equal(pubSession.published[1]?.options.excludeMe, false, 'the schema fixes excludeMe false');
    assert.equal(received[0]?.id, 'm1');
    assert.deepEqual(received[0]?.attachment, new Uint8Array([1, 2, 3]));
    assert.equal(presence[0]?.kind, 'left');
    await subs.unsubscribe();
    await pub.message(message('m2'));
    assert.equal(received.length, 1);
  });

  test('invalid events go to onInvalid and never to the handler or the session', async () => {
    const router = new FakeRouter();
    const invalid: InvalidEvent[] = [];
    let handled = 0;
    await subscribeChat(router.session(), { message: () => { handled++; } }, { onInvalid: (e) => invalid.push(e) });
    const raw = router.session();
    await raw.publish('com.example.chat.message', [{ id: 1 }]);
    await raw.publish('com.example.chat.message', []);
    assert.equal(handled, 0);
    assert.equal(invalid.length, 2);
    assert.equal(invalid[0]?.member, 'message');
    assert.ok((invalid[0]?.issues.length ?? 0) > 0);
    await subscribeChat(router.session(), { message: () => { handled++; } }, { onInvalid: () => { throw new Error('hook bug'); } });
    await raw.publish('com.example.chat.message', ['bad']);
  });

  test('a wildcard topic member publishes to concrete topics and the handler sees which', async () => {
    const router = new FakeRouter();
    const topics: string[] = [];
    await subscribeChat(router.session(), { notice: (n, details) => { topics.push(`${details.topic}:${n.severity}`); } });
    const pub = new ChatPublisher(router.session());
    await pub.notice('com.example.chat.room.lobby.notice', { severity: Severity.Warning, text: 'x', at: [1, 2] });
    assert.deepEqual(topics, ['com.example.chat.room.lobby.notice:warning']);
    await assert.rejects(pub.notice('com.example.chat.room.notice', { severity: Severity.Info, text: 'x' }), /wildcard/);
  });

  test('a generic type instantiated concretely (Page<ChatMessage>) validates both levels', async () => {
    const router = new FakeRouter();
    await registerChatService(router.session(), {
      history: (room, cursor, limit) => ({ items: Array.from({ length: limit ?? 1 }, (_, i) => message(`${room}-${i}`)), next: cursor }),
      post: () => 'id-1',
    });
    const caller = new ChatServiceCaller(router.session());
    const page = await caller.history('lobby', null, 2);
    assert.deepEqual(page.items.map((m) => m.id), ['lobby-0', 'lobby-1']);
    assert.equal(page.next, null);
    assert.equal(router.registrations[0]?.options.invoke, 'roundrobin');
    assert.equal(router.registrations[0]?.options.discloseCaller, true);
  });

  test('bigint payloads (a msgpack/cbor-only API) round-trip', async () => {
    const router = new FakeRouter();
    let balance = 0n;
    await registerLedger(router.session(), {
      book: (entry) => (balance += entry.amount),
      balance: () => balance,
    });
    const ledger = new LedgerCaller(router.session());
    assert.equal(await ledger.book({ account: 'a', amount: 9007199254740993n, memo: null }), 9007199254740993n);
    assert.equal(await ledger.balance('a'), 9007199254740993n);
  });
});
