// Authorization: Crossbar-style role tables, dynamic hooks, caching and failing secure.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Authorizer, validateAuthorizationConfig, type AuthorizationConfig, type AuthorizationSubject, type AuthorizationDecision,
} from '../../runtime/router/authorizer.js';
import { isWampkitError } from '../../runtime/errors.js';

const config: AuthorizationConfig = {
  roles: [
    {
      name: 'frontend',
      permissions: [
        { uri: 'com.example.', match: 'prefix', allow: { call: true, subscribe: true }, disclose: { caller: true } },
        { uri: 'com.example.admin.', match: 'prefix', allow: {} },
        { uri: 'com.example.admin.status', allow: { call: true, publish: true }, disclose: { publisher: true } },
        { uri: 'com..news', match: 'wildcard', allow: { subscribe: true, publish: true } },
      ],
    },
    { name: 'backend', permissions: [{ uri: '', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true }, cache: true }] },
    { name: 'dynamic', authorizer: 'com.example.authorize' },
  ],
};

const subject = (authrole: string, sessionId = 1): AuthorizationSubject => ({ sessionId, authid: 'joe', authrole });

function sync(d: AuthorizationDecision | Promise<AuthorizationDecision>): AuthorizationDecision {
  assert.ok(!(d instanceof Promise), 'a table decision is synchronous');
  return d;
}

describe('Authorizer: static role tables', () => {
  const authorizer = new Authorizer(config, { procedureHook: () => () => true });

  test('the best-matching permission decides: exact over longer prefix over shorter prefix over wildcard', () => {
    const fe = subject('frontend');
    assert.equal(sync(authorizer.authorize(fe, 'com.example.add', 'call')).allow, true);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.add', 'register')).allow, false);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.admin.kill', 'call')).allow, false);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.admin.status', 'call')).allow, true);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.admin.status', 'publish')).allow, true);
    // 'com.example.news' matches the prefix 'com.example.' first: subscribe yes, publish no.
    assert.equal(sync(authorizer.authorize(fe, 'com.example.news', 'publish')).allow, false);
    assert.equal(sync(authorizer.authorize(fe, 'com.other.news', 'publish')).allow, true);
    assert.equal(sync(authorizer.authorize(fe, 'org.other', 'subscribe')).allow, false);
  });

  test('a denial carries wamp.error.not_authorized and a reason naming the action and URI', () => {
    const d = sync(authorizer.authorize(subject('frontend'), 'org.x', 'register'));
    assert.equal(d.error, 'wamp.error.not_authorized');
    assert.match(d.reason ?? '', /register on 'org\.x'/);
  });

  test('disclose applies to the matching action only (caller for call, publisher for publish)', () => {
    const fe = subject('frontend');
    assert.equal(sync(authorizer.authorize(fe, 'com.example.add', 'call')).disclose, true);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.add', 'subscribe')).disclose, false);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.admin.status', 'publish')).disclose, true);
    assert.equal(sync(authorizer.authorize(fe, 'com.example.admin.status', 'call')).disclose, false);
  });

  test('the empty prefix is a catch-all; cache is reported as configured', () => {
    const d = sync(authorizer.authorize(subject('backend'), 'anything.at.all', 'register'));
    assert.deepEqual(d, { allow: true, disclose: false, cache: true });
  });

  test('an unknown role is denied', () => {
    const d = sync(authorizer.authorize(subject('stranger'), 'com.example.add', 'call'));
    assert.equal(d.allow, false);
    assert.equal(d.error, 'wamp.error.not_authorized');
  });
});

describe('Authorizer: dynamic hooks', () => {
  test('a role with authorizer asks the hook made from its procedure, with subject, uri, action, options', async () => {
    const seen: unknown[] = [];
    const authorizer = new Authorizer(config, {
      procedureHook: (procedure) => (s, uri, action, options) => {
        seen.push([procedure, s.authrole, uri, action, options]);
        return uri.startsWith('com.ok') ? { allow: true, disclose: true } : false;
      },
    });
    const yes = await authorizer.authorize(subject('dynamic'), 'com.ok.x', 'publish', { acknowledge: true });
    assert.deepEqual(yes, { allow: true, disclose: true, cache: false });
    const no = await authorizer.authorize(subject('dynamic'), 'com.no.x', 'call');
    assert.equal(no.allow, false);
    assert.equal(no.error, 'wamp.error.not_authorized');
    assert.deepEqual(seen[0], ['com.example.authorize', 'dynamic', 'com.ok.x', 'publish', { acknowledge: true }]);
  });

  test('cache: true decisions are reused per session until forget', async () => {
    let calls = 0;
    const authorizer = new Authorizer(config, { procedureHook: () => async () => { calls++; return { allow: true, cache: true }; } });
    await authorizer.authorize(subject('dynamic', 7), 'com.a', 'call');
    const again = authorizer.authorize(subject('dynamic', 7), 'com.a', 'call');
    assert.ok(!(again instanceof Promise), 'a cached decision is synchronous');
    assert.equal(calls, 1);
    await authorizer.authorize(subject('dynamic', 8), 'com.a', 'call');
    await authorizer.authorize(subject('dynamic', 7), 'com.a', 'subscribe');
    assert.equal(calls, 3);
    authorizer.forget(7);
    await authorizer.authorize(subject('dynamic', 7), 'com.a', 'call');
    assert.equal(calls, 4);
  });

  test('an answer arriving after forget does not revive the session cache', async () => {
    // Each hook call hands out its own resolver, so the test answers exactly the call it means.
    const answers: Array<(v: { allow: boolean; cache: boolean }) => void> = [];
    let asked: () => void = () => {};
    const authorizer = new Authorizer(config, {
      // A short timeout: if an answer ever went unheard, the decision would be a denial, not a hang.
      hookTimeout: 2_000,
      procedureHook: () => () => new Promise((resolve) => {
        answers.push(resolve);
        asked();
      }),
    });
    const hookCalled = (): Promise<void> => new Promise((resolve) => (asked = resolve));
    const first = hookCalled();
    const pending = authorizer.authorize(subject('dynamic', 5), 'com.a', 'call');
    assert.ok(pending instanceof Promise);
    await first;
    // The session leaves while its authorization is out; then the (cacheable) answer arrives.
    authorizer.forget(5);
    answers[0]!({ allow: true, cache: true });
    assert.equal((await pending).allow, true, 'the pending request still gets its answer');
    // Had the late answer been cached, this would be a synchronous (cached) decision.
    const second = hookCalled();
    const next = authorizer.authorize(subject('dynamic', 5), 'com.a', 'call');
    assert.ok(next instanceof Promise, 'the hook is asked again: nothing was cached for the forgotten session');
    await second;
    answers[1]!({ allow: true, cache: true });
    assert.equal((await next).allow, true);
    assert.equal(answers.length, 2);
    // Without forget, the second answer is cached as usual (the test can tell the two apart).
    assert.ok(!(authorizer.authorize(subject('dynamic', 5), 'com.a', 'call') instanceof Promise));
  });

  test('a hook that throws, rejects, answers nonsense or times out fails secure with authorization_failed', async () => {
    const hooks = [
      () => { throw new Error('boom'); },
      () => Promise.reject(new Error('down')),
      () => ({ allow: 'yes' }) as never,
      () => 'maybe' as never,
      () => new Promise<boolean>(() => {}),
    ];
    for (const [i, hook] of hooks.entries()) {
      const authorizer = new Authorizer(config, { procedureHook: () => hook, hookTimeout: 20 });
      const d = await authorizer.authorize(subject('dynamic'), 'com.a', 'call');
      assert.equal(d.allow, false, `hook ${i}`);
      assert.equal(d.error, 'wamp.error.authorization_failed', `hook ${i}`);
    }
  });

  test('defaultHook decides for roles the table does not list', async () => {
    const authorizer = new Authorizer(config, { procedureHook: () => () => false, defaultHook: (s) => s.authid === 'joe' });
    assert.equal((await authorizer.authorize(subject('stranger'), 'x.y', 'call')).allow, true);
    assert.equal(sync(authorizer.authorize(subject('frontend'), 'x.y', 'call')).allow, false);
  });
});

describe('validateAuthorizationConfig', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{}, /roles/],
    [{ roles: [{ name: '' , permissions: [] }] }, /non-empty name/],
    [{ roles: [{ name: 'a', permissions: [] }, { name: 'a', permissions: [] }] }, /listed twice/],
    [{ roles: [{ name: 'a' }] }, /exactly one of permissions, authorizer/],
    [{ roles: [{ name: 'a', permissions: [], authorizer: 'x' }] }, /exactly one/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a..b' }] }] }, /roles\[0\]\.permissions\[0\]\.uri/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'com.*' }] }] }, /match: "prefix"/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a', match: 'glob' }] }] }, /match must be/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a', allow: { delete: true } }] }] }, /allow\.delete/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a', allow: { call: 'yes' } }] }] }, /allow\.call must be a boolean/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a', disclose: { callee: true } }] }] }, /disclose\.callee/],
    [{ roles: [{ name: 'a', permissions: [{ uri: 'a', cache: 1 }] }] }, /cache must be a boolean/],
  ];
  for (const [value, message] of bad) {
    test(`refuses ${JSON.stringify(value)}`, () => {
      assert.throws(() => validateAuthorizationConfig(value), (e: unknown) => isWampkitError(e) && e.code === 'ROUTER_INVALID_OPTION' && message.test(e.message));
    });
  }

  test('accepts the documented shape; an authorizer role needs a procedureHook', () => {
    assert.equal(validateAuthorizationConfig(config), config);
    assert.throws(() => new Authorizer(config), /procedureHook/);
    assert.throws(() => new Authorizer({ roles: [] }, { hookTimeout: 0 }), /hookTimeout/);
  });
});
