// The WAMP bench still measures: one tiny run of bench/wamp against our router and fox-wamp
// (Autobahn|JS on both), and one of our client with the wire reference, each checked for counts
// measured and every child process gone afterwards. Never timings: speed lives in bench/ only.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require_ = createRequire(import.meta.url);
const installed = (name: string): boolean => {
  try {
    require_.resolve(name);
    return true;
  } catch {
    return false;
  }
};

interface SampleJson {
  rate: number;
  ops: number;
  router: { perOp: number };
  driver: { perOp: number };
  peers: { perOp: number };
}
interface BenchJson {
  results: Array<{ config: { router: string; client: string; serializer: string }; cells: Record<string, { samples: SampleJson[]; error?: string }> }>;
  pids: number[];
}

const RUN_LIMIT_MS = 150_000;

/** Runs the bench CLI with `args`, bounded in time; resolves to its --json output. */
async function runBench(args: string[]): Promise<{ json: BenchJson; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wampkit-bench-test-'));
  const out = join(dir, 'out.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/wamp/index.ts'), ...args, '--json', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    assert.equal(code, 0, `bench exited with ${String(code)}:\n${output.slice(-4000)}`);
    return { json: JSON.parse(readFileSync(out, 'utf8')) as BenchJson, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cell(json: BenchJson, router: string, client: string, row: string): { samples: SampleJson[]; error?: string } {
  const result = json.results.find((r) => r.config.router === router && r.config.client === client);
  assert.ok(result, `no result for ${router}/${client}`);
  const c = result.cells[row];
  assert.ok(c, `no ${row} cell for ${router}/${client}`);
  return c;
}

/** Counts and CPU were measured: every figure positive, no error. */
function assertMeasured(json: BenchJson, router: string, client: string, row: string): void {
  const c = cell(json, router, client, row);
  assert.equal(c.error, undefined, `${router}/${client} ${row}: ${c.error}`);
  assert.equal(c.samples.length, 1);
  const s = c.samples[0]!;
  assert.ok(s.ops > 0 && s.rate > 0, `${router}/${client} ${row}: ops ${s.ops}`);
  assert.ok(s.router.perOp > 0 && s.driver.perOp > 0 && s.peers.perOp > 0, `${router}/${client} ${row}: CPU per op not measured`);
}

function assertNoOrphans(json: BenchJson): void {
  assert.ok(json.pids.length > 0);
  const alive = json.pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], 'child processes outlived the bench');
}

const TINY = ['--rounds', '1', '--seconds', '0.1', '--serializers', 'json', '--sub-procs', '1'];

describe('bench/wamp harness (counts only, never timings)', () => {
  const peersMissing = ['fox-wamp', 'autobahn'].filter((p) => !installed(p));
  test(
    'our router and fox-wamp, Autobahn|JS on both: calls and events are counted, every publish delivered, no child left',
    { skip: peersMissing.length > 0 ? `${peersMissing.join(' and ')} not installed` : false },
    async () => {
      const { json } = await runBench([...TINY, '--routers', 'ours,fox', '--clients', 'autobahn', '--no-wire', '--only', 'rpc,events', '--subscribers', '3']);
      for (const router of ['ours', 'fox']) {
        assertMeasured(json, router, 'autobahn', 'rpc');
        // The environment itself checks that the subscribers got every acknowledged publish.
        assertMeasured(json, router, 'autobahn', 'events:3');
      }
      assertNoOrphans(json);
    },
  );

  test('our client through our router, and the wire reference: one call at a time is counted with its RTT', async () => {
    // --source: the TypeScript sources under tsx, the bench's other way of loading our runtime.
    const { json } = await runBench([...TINY, '--source', '--routers', 'ours', '--clients', 'wampkit', '--only', 'latency']);
    for (const [router, client] of [['ours', 'wampkit'], ['wire', 'wire']] as const) {
      assertMeasured(json, router, client, 'latency');
      const s = cell(json, router, client, 'latency').samples[0] as SampleJson & { p50: number; p99: number };
      assert.ok(s.p50 > 0 && s.p99 >= s.p50, `${router}/${client}: RTT percentiles not recorded`);
    }
    assertNoOrphans(json);
  });
});
