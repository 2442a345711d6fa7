// docs/limits.md is the one table of limits: its defaults for the router's options are the code's,
// its example is valid router options, and router.md and README.md link it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SESSION_LIMITS, SESSION_LIMIT_KEYS, LimitErrorUri } from '../../runtime/router/limits.js';
import { DEFAULT_RETENTION_MAX_BYTES } from '../../runtime/router/retention.js';
import { MAX_HELD_EVENTS } from '../../runtime/router/guarded-delivery.js';
import { GUARD_VERDICTS_KEPT } from '../../runtime/router/pattern-guard.js';
import { normalizeRouterOptions } from '../../runtime/router/config.js';
import { resolveSessionLimits } from '../../runtime/router/limits.js';
import { DEFAULT_MAX_DEPTH, MIN_CONFIGURABLE_DEPTH, MAX_CONFIGURABLE_DEPTH } from '../../runtime/serializers/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/limits.md'), 'utf8');

/** The table row whose "where to configure" cell names `option`: [area, limit, default, where, exceeded]. */
function row(option: string): string[] {
  const rows = doc.split('\n').filter((l) => l.startsWith('| ') && l.includes(`\`${option}\``));
  assert.equal(rows.length >= 1, true, `docs/limits.md has a row for ${option}`);
  return rows[0]!.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '').trim());
}

test('docs/limits.md: the session limits, retention budget and guard bounds have the code\'s defaults and error URIs', () => {
  for (const key of SESSION_LIMIT_KEYS) {
    const cells = row(`limits.${key}`);
    assert.equal(cells[2], String(DEFAULT_SESSION_LIMITS[key]), `${key} default`);
  }
  for (const uri of Object.values(LimitErrorUri)) assert.ok(doc.includes(`\`${uri}\``), uri);
  assert.equal(DEFAULT_RETENTION_MAX_BYTES, 64 * 1024 * 1024);
  assert.equal(row('retention.maxBytes')[2], '64 MiB');
  assert.equal(row('retention.maxTopics')[2], '10000');
  assert.ok(row('MAX_HELD_EVENTS')[2] === String(MAX_HELD_EVENTS));
  assert.ok(row('GUARD_VERDICTS_KEPT')[2]!.startsWith(String(GUARD_VERDICTS_KEPT)));
  assert.equal(row('helloTimeout')[2], `${normalizeRouterOptions({ realms: [] }).helloTimeout} ms`);
});

test('docs/limits.md: the serializers\' nesting limit has their default and range, and names the router\'s option with its default', () => {
  const cells = row('maxDepth');
  assert.ok(cells[2]!.startsWith(`${DEFAULT_MAX_DEPTH} `), `default ${cells[2]}`);
  assert.ok(cells[3]!.includes(`${MIN_CONFIGURABLE_DEPTH} to ${MAX_CONFIGURABLE_DEPTH}`), `range ${cells[3]}`);
  assert.ok(cells[3]!.includes('the router: `maxNestingDepth` (same range and default)'), cells[3]);
  assert.equal(normalizeRouterOptions({ realms: [] }).maxNestingDepth, DEFAULT_MAX_DEPTH);
  assert.throws(() => normalizeRouterOptions({ realms: [], maxNestingDepth: MIN_CONFIGURABLE_DEPTH - 1 }), /maxNestingDepth/);
  assert.throws(() => normalizeRouterOptions({ realms: [], maxNestingDepth: MAX_CONFIGURABLE_DEPTH + 1 }), /maxNestingDepth/);
});

test('docs/limits.md: the example is valid router options and resolves as the text says; the guides link the page', () => {
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 1);
  const options = normalizeRouterOptions(JSON.parse(blocks[0]!));
  const limits = resolveSessionLimits(options.realms[0]!.limits, options.limits);
  assert.equal(limits.maxRegistrations, 500);
  assert.equal(limits.maxSubscriptions, 2000);
  assert.ok(doc.includes('allows 500 registrations and 2000 subscriptions per session'));
  for (const guide of ['docs/router.md', 'docs/README.md']) {
    assert.match(readFileSync(join(root, guide), 'utf8'), /\]\(limits\.md\)/, `${guide} links limits.md`);
  }
});
