/** Timing for bench/nvx: best of a few bounded runs, reported as ns per call and GB/s. */

export interface Measurement {
  /** Nanoseconds per call (best run). */
  readonly ns: number;
  /** Bytes per nanosecond = GB/s, for the given size. */
  readonly gbps: number;
}

const ROUNDS = 12;
const ROUND_MS = 6;

/**
 * ns per call of one timed run: calls `fn` for about ROUND_MS of wall time (at most 20M calls)
 * and divides the process's CPU time by the calls. CPU time, not wall time, because the machines
 * this runs on are shared: time spent descheduled is not ours. (The bench is single-threaded.)
 */
function run(fn: () => void): number {
  let calls = 0;
  let batch = 16;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < ROUND_MS * 1e6 && calls < 20_000_000) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    if (batch < 4096) batch *= 2;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuNs = (cpu.user + cpu.system) * 1000;
  // Coarse CPU accounting can under-read a short run; never report less than half the wall time.
  return Math.max(cpuNs, elapsed / 2) / calls;
}

/**
 * Times each function in alternating rounds and keeps each one's best round: on a machine that
 * other processes load, the minimum is the figure least disturbed, and alternating makes a
 * disturbance hit every contender alike.
 */
export function measureAll(fns: Array<() => void>, bytes: number): Measurement[] {
  for (const fn of fns) for (let i = 0; i < 2000; i++) fn(); // let the JIT settle first
  const best = fns.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < ROUNDS; round++) {
    fns.forEach((fn, i) => {
      best[i] = Math.min(best[i]!, run(fn));
    });
  }
  return best.map((ns) => ({ ns, gbps: bytes / ns }));
}

export function measure(fn: () => void, bytes: number): Measurement {
  return measureAll([fn], bytes)[0]!;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

export interface Row {
  readonly what: string;
  readonly size: string;
  readonly ours: Measurement;
  readonly peerName: string;
  readonly peer: Measurement;
  /** ratio >= target is a pass; undefined when the row has no target. */
  readonly target?: number;
}

function fmt(m: Measurement): string {
  const t = m.ns >= 1000 ? `${(m.ns / 1000).toFixed(2)} µs` : `${m.ns.toFixed(1)} ns`;
  return `${t.padStart(10)} ${m.gbps.toFixed(2).padStart(6)} GB/s`;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(
    `${'case'.padEnd(34)} ${'size'.padStart(7)}  ${'ours'.padStart(22)}  ${'peer'.padEnd(24)} ${'peer time'.padStart(22)}  ratio  target`,
  );
  for (const r of rows) {
    const ratio = r.peer.ns / r.ours.ns;
    const verdict = r.target === undefined ? '' : `${ratio >= r.target ? 'ok  ' : 'MISS'} >=${r.target}x`;
    console.log(
      `${r.what.padEnd(34)} ${r.size.padStart(7)}  ${fmt(r.ours)}  ${r.peerName.padEnd(24)} ${fmt(r.peer)}  ${ratio.toFixed(2).padStart(5)}x ${verdict}`,
    );
  }
}
