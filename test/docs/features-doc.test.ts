// docs/features.md: its "announced" column says what WELCOME and HELLO really announce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROUTER_ROLES } from '../../runtime/router/features.js';
import { CLIENT_ROLES } from '../../runtime/wamp/session-roles.js';

const page = readFileSync(fileURLToPath(new URL('../../docs/features.md', import.meta.url)), 'utf8');

function announced(roles: Record<string, { features: Record<string, boolean> }>, feature: string): boolean {
  return Object.values(roles).some((role) => role.features[feature] === true);
}

test('docs/features.md: every "client / router" announcement matches CLIENT_ROLES and ROUTER_ROLES', () => {
  // Rows of the RPC and PubSub tables: | name | `rpc_x` or `pubsub_x` | client | router | yes / no |
  const rows = [...page.matchAll(/^\| [^|]+ \| `(rpc|pubsub)_(\w+)` \|[^|]*\|[^|]*\| (yes|no|—) \/ (yes|no) \|$/gm)];
  assert.ok(rows.length >= 15, `parsed ${rows.length} rows`);
  const wrong: string[] = [];
  for (const [, , feature, client, router] of rows) {
    if (client !== '—' && (client === 'yes') !== announced(CLIENT_ROLES, feature!)) wrong.push(`${feature}: the page says client ${client}`);
    if ((router === 'yes') !== announced(ROUTER_ROLES, feature!)) wrong.push(`${feature}: the page says router ${router}`);
  }
  // And nothing announced is missing from the page.
  for (const roles of [CLIENT_ROLES, ROUTER_ROLES] as Array<Record<string, { features: Record<string, boolean> }>>) {
    for (const role of Object.values(roles)) {
      for (const feature of Object.keys(role.features)) {
        if (!rows.some((r) => r[2] === feature)) wrong.push(`${feature} is announced but not on the page`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
