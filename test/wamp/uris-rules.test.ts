import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isValidUri, isReservedUri, ErrorUri, CloseReason } from '../../runtime/wamp/uris.js';
import { isValidId, MAX_ID, GlobalIdGenerator, SessionIdGenerator, RouterIdGenerator } from '../../runtime/wamp/ids.js';

describe('URI rules', () => {
  test('loose exact URIs: non-empty components without ".", "#" or whitespace', () => {
    for (const ok of ['com.myapp.mytopic1', 'a', 'com.MyApp.Topic-1', 'de.ä.ö', 'wamp.error.invalid_uri', 'a.b:c/d']) {
      assert.ok(isValidUri(ok), ok);
    }
    for (const bad of ['', '.', 'a.', '.a', 'a..b', 'a b', 'a.b#c', 'a\tb', 'a\nb', 'a.\u00a0.b', 1, null, undefined]) {
      assert.ok(!isValidUri(bad), String(bad));
    }
  });

  test('strict exact URIs: components of [0-9a-z_] only', () => {
    for (const ok of ['com.myapp.topic_1', '1a.b2', '_']) assert.ok(isValidUri(ok, 'strict'), ok);
    for (const bad of ['com.MyApp', 'a-b', 'de.ä', 'a..b', 'a.', '']) assert.ok(!isValidUri(bad, 'strict'), bad);
  });

  test('wildcard patterns allow empty components, prefix patterns a trailing dot', () => {
    for (const ok of ['com..topic', '.a.b', 'a.b.', 'a...d', 'a.b']) assert.ok(isValidUri(ok, 'loose', 'wildcard'), ok);
    for (const bad of ['', 'a b..c', 'a.#.c']) assert.ok(!isValidUri(bad, 'loose', 'wildcard'), bad);
    assert.ok(isValidUri('com..topic', 'strict', 'wildcard'));
    assert.ok(!isValidUri('com..Topic', 'strict', 'wildcard'));
    assert.ok(isValidUri('com.myapp.', 'loose', 'prefix'));
    assert.ok(isValidUri('com.myapp', 'strict', 'prefix'));
    assert.ok(!isValidUri('com..myapp', 'loose', 'prefix'));
    assert.ok(!isValidUri('', 'loose', 'prefix'));
  });

  test('reserved wamp.* URIs', () => {
    assert.ok(isReservedUri('wamp.session.list'));
    assert.ok(isReservedUri('wamp'));
    assert.ok(!isReservedUri('wampkit.x'));
    assert.ok(!isReservedUri('com.wamp'));
  });

  test('predefined URIs are spelled as the spec spells them', () => {
    assert.equal(ErrorUri.PROTOCOL_VIOLATION, 'wamp.error.protocol_violation');
    assert.equal(ErrorUri.NO_SUCH_REALM, 'wamp.error.no_such_realm');
    assert.equal(ErrorUri.CANCELED, 'wamp.error.canceled');
    assert.equal(CloseReason.GOODBYE_AND_OUT, 'wamp.close.goodbye_and_out');
    for (const uri of [...Object.values(ErrorUri), ...Object.values(CloseReason)]) {
      assert.ok(isValidUri(uri, 'strict'), uri);
      assert.ok(isReservedUri(uri), uri);
    }
  });
});

describe('IDs', () => {
  test('valid IDs are integers in 1..2^53', () => {
    assert.ok(isValidId(1));
    assert.ok(isValidId(MAX_ID));
    for (const bad of [0, -1, 0.5, MAX_ID + 2, Number.NaN, '1', 1n]) assert.ok(!isValidId(bad), String(bad));
  });

  test('global IDs are random and in range', () => {
    const g = new GlobalIdGenerator();
    const seen = new Set<number>();
    let high = 0;
    for (let i = 0; i < 5000; i++) {
      const id = g.next();
      assert.ok(isValidId(id));
      seen.add(id);
      if (id > 2 ** 52) high++;
    }
    assert.equal(seen.size, 5000);
    // Uniform over [1, 2^53]: about half above 2^52; 5000 draws make < 40% astronomically unlikely.
    assert.ok(high > 2000 && high < 3000, `high=${high}`);
  });

  test('session IDs count from 1 and wrap to 1 after 2^53', () => {
    const s = new SessionIdGenerator();
    assert.equal(s.next(), 1);
    assert.equal(s.next(), 2);
    assert.equal(s.last, 2);
    const wrap = new SessionIdGenerator(MAX_ID - 1);
    assert.equal(wrap.next(), MAX_ID);
    assert.equal(wrap.next(), 1);
  });

  test('router IDs skip IDs still in use', () => {
    const r = new RouterIdGenerator();
    const used = new Set([1, 2, 4]);
    assert.equal(r.next((id) => used.has(id)), 3);
    assert.equal(r.next((id) => used.has(id)), 5);
  });
});
