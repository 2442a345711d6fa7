/**
 * The client side of the echo bench, one process per implementation: the two clients never
 * share a heap, so one's garbage is never collected during the other's rounds. argv: <ours|ws>
 * [compiled engine dir, or '-' for the sources]. Driven over IPC: {cmd:'echo', ...EchoJob}
 * warms up, answers {warmed: true} and waits for {cmd:'go'} (so the parent can read the
 * server's CPU time between the two), then measures and answers {result, cpu} (CPU µs of this
 * process during the measured part); {cmd:'exit'} ends it.
 */
import { loadEngine } from './engine.js';
import { measureThroughput, openClient, payloadOf, type Impl, type ThroughputResult } from './throughput.js';

export interface EchoJob {
  port: number;
  bytes: number;
  binary: boolean;
  window: number;
  maxMessages: number;
  warmupMs: number;
  measureMs: number;
}

export interface EchoReply {
  result: ThroughputResult;
  cpu: number;
}

const impl = process.argv[2] as Impl;
const engineDir = process.argv[3] === undefined || process.argv[3] === '-' ? null : process.argv[3];
const engine = await loadEngine(engineDir);
let goSignal: (() => void) | null = null;

async function echo(job: EchoJob): Promise<EchoReply> {
  const payload = payloadOf(job.bytes, job.binary);
  const client = await openClient(impl, job.port, engine.client);
  try {
    await measureThroughput(client, payload, job.binary, job.window, job.maxMessages, job.warmupMs);
    await new Promise<void>((resolve) => {
      goSignal = resolve;
      process.send?.({ warmed: true });
    });
    const before = process.cpuUsage();
    const result = await measureThroughput(client, payload, job.binary, job.window, job.maxMessages, job.measureMs);
    const used = process.cpuUsage(before);
    return { result, cpu: used.user + used.system };
  } finally {
    client.close();
  }
}

process.on('message', (msg: { cmd: string } & Partial<EchoJob>) => {
  if (msg.cmd === 'exit') process.exit(0);
  if (msg.cmd === 'go') {
    goSignal?.();
    goSignal = null;
  }
  if (msg.cmd === 'echo') {
    echo(msg as EchoJob).then(
      (reply) => process.send?.(reply),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  }
});
// Never outlive the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
// Bounded: long enough for --rounds 20 over every size.
setTimeout(() => process.exit(0), 1_800_000).unref();
process.send?.({ ready: true });
