// WAMP throughput through the embedded router: our client against Autobahn|JS as the client,
// in the same run, against the same router. Not a test.
//
//   npx tsx bench/wamp/index.ts [--seconds 3] [--serializer json|msgpack|cbor] [--subscribers 1,100,1000]
//
// RPC: one caller, one callee, small args, 100 calls in flight -> calls/s.
// Events: one publisher (acknowledged publishes, bounded in flight) to N subscriber sessions ->
// events delivered per second (summed over subscribers).
// The router runs in this process; each client workload runs in its own child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Router } from '../../runtime/router/router.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    serializer: { type: 'string', default: 'json' },
    subscribers: { type: 'string', default: '1,100,1000' },
  },
});
const seconds = Number(values.seconds);
const here = fileURLToPath(new URL('./', import.meta.url));

const CLIENTS = {
  wampkit: [process.execPath, '--import', 'tsx', `${here}client-wampkit.ts`],
  autobahn: [process.execPath, `${here}client-autobahn.cjs`],
} as const;

function run(client: keyof typeof CLIENTS, args: string[]): Promise<number> {
  const [cmd, ...pre] = CLIENTS[client];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const { ops, seconds: s } = JSON.parse(line) as { ops: number; seconds: number };
        void s;
        resolve(ops / seconds);
      } catch {
        reject(new Error(`${client} ${args.join(' ')} failed (exit ${code}): ${out}`));
      }
    });
  });
}

const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
const [url] = await router.start();
const rows: Array<[string, number, number]> = [];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

try {
  const ours = await run('wampkit', [url!, values.serializer, 'rpc', String(seconds)]);
  const theirs = await run('autobahn', [url!, values.serializer, 'rpc', String(seconds)]);
  rows.push(['RPC calls/s (100 in flight)', ours, theirs]);
  for (const n of values.subscribers.split(',').map(Number)) {
    const o = await run('wampkit', [url!, values.serializer, 'events', String(seconds), String(n)]);
    const t = await run('autobahn', [url!, values.serializer, 'events', String(seconds), String(n)]);
    rows.push([`events/s delivered, ${n} subscriber${n === 1 ? '' : 's'}`, o, t]);
  }
} finally {
  await router.close(100);
}

console.log(`WAMP through the embedded router (${values.serializer}, ${seconds} s per run, node ${process.version})`);
console.log(`${'workload'.padEnd(40)} ${'wampkit'.padStart(12)} ${'autobahn|js'.padStart(12)} ${'ratio'.padStart(7)}`);
for (const [name, o, t] of rows) {
  console.log(`${name.padEnd(40)} ${fmt(o).padStart(12)} ${fmt(t).padStart(12)} ${(o / t).toFixed(2).padStart(6)}x`);
}
