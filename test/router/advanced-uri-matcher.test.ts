// UriIndex: the spec's precedence (exact, longest prefix, wildcard run by run) and pattern checks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  UriIndex, checkPatternUri, compareWildcardPrecedence, matchesPattern, isMatchPolicy, type UriMatch,
} from '../../runtime/router/uri-matcher.js';
import { isWampkitError } from '../../runtime/errors.js';

function specIndex(options: { prefixBoundary?: 'string' | 'component' } = {}): UriIndex<number> {
  // The registrations of the pattern-based registration section's example.
  const index = new UriIndex<number>(options);
  index.set('a1.b2.c3.d4.e55', 'exact', 1);
  index.set('a1.b2.c3', 'prefix', 2);
  index.set('a1.b2.c3.d4', 'prefix', 3);
  index.set('a1.b2..d4.e5', 'wildcard', 4);
  index.set('a1.b2.c33..e5', 'wildcard', 5);
  index.set('a1.b2..d4.e5..g7', 'wildcard', 6);
  index.set('a1.b2..d4..f6.g7', 'wildcard', 7);
  return index;
}

describe('UriIndex.best: the spec example of calls matching several registrations', () => {
  const cases: Array<[string, number | undefined]> = [
    ['a1.b2.c3.d4.e55', 1],
    ['a1.b2.c3.d98.e74', 2],
    ['a1.b2.c3.d4.e325', 3],
    ['a1.b2.c55.d4.e5', 4],
    // The spec lists 'a1.b2.c33.d4.e5' -> 5 here, but its own prefix rule (a string prefix:
    // 'com.myapp.myobject1' matches 'com.myapp.myobject1-mysubobject1') makes prefix 2
    // ('a1.b2.c3') match it. We follow the normative rule, as Crossbar does; see the next test.
    ['a1.b2.c33.d4.e5', 2],
    ['a1.b2.c88.d4.e5.f6.g7', 6],
    ['a2.b2.c2.d2.e2', undefined],
  ];
  for (const [uri, want] of cases) {
    test(`${uri} -> ${want ?? 'no_such_procedure'}`, () => {
      assert.equal(specIndex().best(uri)?.value, want);
    });
  }
});

describe('UriIndex.best with prefixBoundary: component (the reading of the dealer today)', () => {
  const cases: Array<[string, number | undefined]> = [
    ['a1.b2.c3.d4.e55', 1],
    ['a1.b2.c3.d98.e74', 2],
    ['a1.b2.c3.d4.e325', 3],
    ['a1.b2.c55.d4.e5', 4],
    ['a1.b2.c33.d4.e5', 5],
    ['a1.b2.c88.d4.e5.f6.g7', 6],
    ['a2.b2.c2.d2.e2', undefined],
  ];
  for (const [uri, want] of cases) {
    test(`${uri} -> ${want ?? 'no_such_procedure'}`, () => {
      assert.equal(specIndex({ prefixBoundary: 'component' }).best(uri)?.value, want);
    });
  }

  test('a prefix matches whole components, or anything after a trailing dot', () => {
    const index = new UriIndex<string>({ prefixBoundary: 'component' });
    index.set('com.myapp.myobject1', 'prefix', 'p');
    index.set('org.', 'prefix', 'dot');
    assert.equal(index.best('com.myapp.myobject1.x')?.value, 'p');
    assert.equal(index.best('com.myapp.myobject1')?.value, 'p');
    assert.equal(index.best('com.myapp.myobject1-mysubobject1'), undefined);
    assert.equal(index.best('org.x')?.value, 'dot');
    assert.equal(matchesPattern('com.ab', 'com.a', 'prefix', 'component'), false);
    assert.equal(matchesPattern('com.ab', 'com.a', 'prefix'), true);
    assert.throws(() => new UriIndex({ prefixBoundary: 'word' as never }), /prefixBoundary/);
  });
});

describe('UriIndex', () => {
  test('wildcards: the longer first literal run wins (spec example without the prefix registrations)', () => {
    const index = specIndex();
    index.delete('a1.b2.c3', 'prefix');
    index.delete('a1.b2.c3.d4', 'prefix');
    assert.equal(index.best('a1.b2.c33.d4.e5')?.value, 5);
    assert.equal(index.best('a1.b2.c55.d4.e5')?.value, 4);
    assert.ok(compareWildcardPrecedence('a1.b2.c33..e5', 'a1.b2..d4.e5') < 0);
    assert.ok(compareWildcardPrecedence('a1.b2..d4.e5..g7', 'a1.b2..d4..f6.g7') < 0);
    assert.ok(compareWildcardPrecedence('a..c', '.b.c') < 0);
  });

  test('prefix matching is by string, not by component, as the spec examples show', () => {
    const index = new UriIndex<string>();
    index.set('com.myapp.myobject1', 'prefix', 'p');
    for (const uri of ['com.myapp.myobject1.myprocedure1', 'com.myapp.myobject1-mysubobject1', 'com.myapp.myobject1']) {
      assert.equal(index.best(uri)?.value, 'p', uri);
    }
    for (const uri of ['com.myapp.myobject2', 'com.myapp.myobject']) assert.equal(index.best(uri), undefined, uri);
  });

  test('wildcards match whole components only, and only URIs of the same length', () => {
    const index = new UriIndex<string>();
    index.set('com.myapp..userevent', 'wildcard', 'w');
    for (const uri of ['com.myapp.foo.userevent', 'com.myapp.bar.userevent']) assert.equal(index.best(uri)?.value, 'w');
    for (const uri of ['com.myapp.foo.userevent.bar', 'com.myapp.foo.user', 'com.myapp2.foo.userevent', 'com.myapp.userevent']) {
      assert.equal(index.best(uri), undefined, uri);
    }
  });

  test('matches returns every matching entry in precedence order (broker delivery)', () => {
    const index = new UriIndex<string>();
    index.set('a.b.c', 'exact', 'exact');
    index.set('a', 'prefix', 'p1');
    index.set('a.b', 'prefix', 'p2');
    index.set('a..c', 'wildcard', 'w1');
    index.set('..c', 'wildcard', 'w2');
    index.set('a.b.', 'wildcard', 'w3');
    index.set('x', 'prefix', 'miss');
    assert.deepEqual(index.matches('a.b.c').map((e) => e.value), ['exact', 'p2', 'p1', 'w3', 'w1', 'w2']);
    assert.deepEqual(index.matches('z'), []);
  });

  test('the same pattern under different policies are different entries', () => {
    const index = new UriIndex<string>();
    index.set('a.b', 'exact', 'e');
    index.set('a.b', 'prefix', 'p');
    index.set('a.b', 'wildcard', 'w');
    assert.equal(index.size, 3);
    assert.equal(index.get('a.b', 'prefix'), 'p');
    assert.equal(index.get('a.b', 'wildcard'), 'w');
    assert.equal(index.best('a.b.c')?.value, 'p');
    assert.deepEqual(index.matches('a.b').map((e) => e.value), ['e', 'p', 'w']);
  });

  test('delete removes entries and prunes the trie; size follows', () => {
    const index = new UriIndex<number>();
    index.set('a..c', 'wildcard', 1);
    index.set('a..d', 'wildcard', 2);
    index.set('a.b', 'prefix', 3);
    index.set('a.bc', 'prefix', 4);
    assert.equal(index.size, 4);
    assert.equal(index.delete('a..c', 'wildcard'), true);
    assert.equal(index.delete('a..c', 'wildcard'), false);
    assert.equal(index.best('a.x.c'), undefined);
    assert.equal(index.best('a.x.d')?.value, 2);
    assert.equal(index.delete('a.bc', 'prefix'), true);
    assert.equal(index.best('a.bcd')?.value, 3);
    assert.equal(index.delete('a.b', 'prefix'), true);
    assert.equal(index.best('a.bcd'), undefined);
    assert.equal(index.delete('a..d', 'wildcard'), true);
    assert.equal(index.size, 0);
    assert.deepEqual([...index.entries()], []);
    assert.equal(index.delete('nope', 'exact'), false);
  });

  test('set replaces the value of an existing (pattern, match) without growing', () => {
    const index = new UriIndex<number>();
    index.set('a..b', 'wildcard', 1);
    index.set('a..b', 'wildcard', 2);
    index.set('p', 'prefix', 1);
    index.set('p', 'prefix', 2);
    assert.equal(index.size, 2);
    assert.equal(index.best('a.x.b')?.value, 2);
    assert.equal(index.best('pq')?.value, 2);
    assert.deepEqual([...index.entries('wildcard')].map((e) => e.pattern), ['a..b']);
  });

  test('invalid patterns are refused with wamp.error.invalid_uri', () => {
    const index = new UriIndex<number>();
    const bad: Array<[string, UriMatch]> = [['a..b', 'exact'], ['a..b', 'prefix'], ['', 'prefix'], ['a b', 'wildcard'], ['a#b', 'wildcard']];
    for (const [pattern, match] of bad) {
      assert.throws(() => index.set(pattern, match, 1), (e: unknown) => isWampkitError(e) && e.wampUri === 'wamp.error.invalid_uri', `${pattern} ${match}`);
    }
    assert.throws(() => checkPatternUri('a', 'regex'), (e: unknown) => isWampkitError(e) && e.wampUri === 'wamp.error.invalid_argument');
    assert.throws(() => new UriIndex({ rule: 'strict' }).set('A.b', 'exact', 1), /strict/);
    assert.equal(isMatchPolicy('prefix'), true);
    assert.equal(isMatchPolicy('glob'), false);
    index.set('a.b.', 'prefix', 1);
    index.set('.', 'wildcard', 2);
    assert.equal(index.best('a.b.c')?.value, 1);
    assert.equal(index.best('x.y')?.value, 2);
  });

  test('allowCatchAll accepts the empty prefix as the lowest-precedence prefix', () => {
    const index = new UriIndex<string>({ allowCatchAll: true });
    index.set('', 'prefix', 'all');
    index.set('com', 'prefix', 'com');
    index.set('..', 'wildcard', 'w');
    assert.equal(index.best('com.x')?.value, 'com');
    assert.equal(index.best('org.x.y')?.value, 'all');
    assert.deepEqual(index.matches('org.x.y').map((e) => e.value), ['all', 'w']);
  });

  for (const boundary of ['string', 'component'] as const) test(`best and matches agree with a brute-force reference on random patterns (${boundary} prefixes)`, () => {
    // Deterministic LCG so a failure reproduces.
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const words = ['a', 'b', 'ab'];
    const uri = (len: number): string => Array.from({ length: len }, () => words[rnd(3)]!).join('.');
    for (let round = 0; round < 50; round++) {
      const index = new UriIndex<string>({ prefixBoundary: boundary });
      const entries: Array<[string, UriMatch]> = [];
      for (let i = 0; i < 12; i++) {
        const match = (['exact', 'prefix', 'wildcard'] as const)[rnd(3)]!;
        let pattern = uri(1 + rnd(3));
        if (match === 'wildcard') pattern = pattern.split('.').map((p) => (rnd(2) === 0 ? '' : p)).join('.');
        if (pattern === '') continue;
        index.set(pattern, match, `${match}:${pattern}`);
        entries.push([pattern, match]);
      }
      for (let q = 0; q < 20; q++) {
        const target = uri(1 + rnd(3));
        const hits = entries.filter(([p, m]) => matchesPattern(target, p, m, boundary));
        const exact = hits.find(([, m]) => m === 'exact');
        const prefix = hits.filter(([, m]) => m === 'prefix').sort((x, y) => y[0].length - x[0].length)[0];
        const wild = hits.filter(([, m]) => m === 'wildcard').sort((x, y) => compareWildcardPrecedence(x[0], y[0]))[0];
        const want = exact ?? prefix ?? wild;
        assert.equal(index.best(target)?.value, want === undefined ? undefined : `${want[1]}:${want[0]}`, target);
        assert.equal(index.matches(target).length, new Set(hits.map(([p, m]) => `${m}:${p}`)).size, target);
      }
    }
  });
});
