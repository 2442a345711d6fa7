// The cluster's configuration (RouterOptions.cluster, `wampkit router --cluster/--node`), and
// that the NATS client is an optional part of the router: a single router never loads it, and a
// cluster node without it fails to start with its own error code. No nats-server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, routerOptionsFromArgs } from '../../runtime/router/index.js';
import { CLUSTER_DEFAULTS, normalizeClusterOptions } from '../../runtime/router/cluster/options.js';
import { isWampkitError } from '../../runtime/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const code = (c: string) => (e: unknown): boolean => isWampkitError(e) && e.code === c;

test('cluster options: defaults, a single server URL as a list, and each bad value named', () => {
  const o = normalizeClusterOptions({ servers: 'nats://127.0.0.1:4222', node: 'a' });
  assert.deepEqual(o, { servers: ['nats://127.0.0.1:4222'], node: 'a', ...CLUSTER_DEFAULTS });
  assert.deepEqual(normalizeClusterOptions({ servers: ['nats://h1:1', 'nats://h2:2'], node: 'n-1_x', replicas: 3, heartbeatMs: 100, deadAfterMs: 500 }), {
    servers: ['nats://h1:1', 'nats://h2:2'], node: 'n-1_x', name: 'wampkit', replicas: 3, heartbeatMs: 100, deadAfterMs: 500, isolateAfterMs: 400,
  });
  const bad: Array<[unknown, RegExp]> = [
    [{ node: 'a' }, /cluster\.servers must be a NATS URL/],
    [{ servers: 'http://x:1', node: 'a' }, /cluster\.servers/],
    [{ servers: 'nats://x:1' }, /cluster\.node must be/],
    [{ servers: 'nats://x:1', node: 'a.b' }, /cluster\.node must be/],
    [{ servers: 'nats://x:1', node: 'a', name: 'x y' }, /cluster\.name must be/],
    [{ servers: 'nats://x:1', node: 'a', replicas: 7 }, /replicas must be at most 5/],
    [{ servers: 'nats://x:1', node: 'a', heartbeatMs: 200, deadAfterMs: 500 }, /deadAfterMs must be at least 3 heartbeats/],
    [{ servers: 'nats://x:1', node: 'a', deadAfterMs: 1000, isolateAfterMs: 1000 }, /isolateAfterMs must be below deadAfterMs/],
    [{ servers: 'nats://x:1', node: 'a', ttl: 5 }, /cluster\.ttl is not one of/],
  ];
  for (const [value, message] of bad) assert.throws(() => normalizeClusterOptions(value), (e: unknown) => code('ROUTER_INVALID_OPTION')(e) && message.test((e as Error).message), JSON.stringify(value));
  assert.throws(() => new Router({ realms: ['r'], cluster: { servers: 'nats://x:1', node: '' } }), code('ROUTER_INVALID_OPTION'));
});

test('wampkit router --cluster/--node: repeatable or comma-separated servers, over the config file\'s cluster; one without the other is a usage error', () => {
  assert.deepEqual(routerOptionsFromArgs(['--cluster', 'nats://a:1', '--cluster', 'nats://b:2,nats://c:3', '--node', 'n1']).cluster,
    { servers: ['nats://a:1', 'nats://b:2', 'nats://c:3'], node: 'n1' });
  const dir = mkdtempSync(join(tmpdir(), 'wk-cluster-cli-'));
  try {
    const file = join(dir, 'r.json');
    writeFileSync(file, JSON.stringify({ realms: ['realm1'], cluster: { servers: ['nats://f:1'], node: 'f', replicas: 3 } }));
    assert.deepEqual(routerOptionsFromArgs(['--config', file]).cluster, { servers: ['nats://f:1'], node: 'f', replicas: 3 });
    assert.deepEqual(routerOptionsFromArgs(['--config', file, '--node', 'g']).cluster, { servers: ['nats://f:1'], node: 'g', replicas: 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => routerOptionsFromArgs(['--node', 'x']), /--node needs --cluster/);
  assert.throws(() => routerOptionsFromArgs(['--cluster', 'nats://a:1']), /--cluster needs --node/);
  assert.equal(routerOptionsFromArgs([]).cluster, undefined);
});

test('a cluster node that cannot reach NATS does not start: ROUTER_CLUSTER_UNAVAILABLE', async () => {
  // Port 1 on loopback: nothing listens there.
  const router = new Router({ realms: ['realm1'], cluster: { servers: 'nats://127.0.0.1:1', node: 'lonely' } });
  await assert.rejects(router.start(), code('ROUTER_CLUSTER_UNAVAILABLE'));
  assert.equal(router.realm('realm1'), undefined, 'a cluster node has no realms before it joined');
});

test('without the NATS client installed a single router works and never loads it; a cluster node fails with ROUTER_CLUSTER_CLIENT_MISSING', () => {
  const r = spawnSync(process.execPath, ['--conditions=@wampkit/source', '--import', 'tsx', join(root, 'test/cluster/fixtures/without-nats.ts')], {
    cwd: root, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { answer: 'pong', clusterError: 'ROUTER_CLUSTER_CLIENT_MISSING' });
});
