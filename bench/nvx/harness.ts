/** Timing for bench/nvx: best of a few bounded runs, reported as ns per call and GB/s. */

export interface Measurement {
  /** Nanoseconds per call (best run). */
  readonly ns: number;
  /** Bytes per nanosecond = GB/s, for the given size. */
  readonly gbps: number;
}

const RUNS = 5;
const RUN_MS = 40;

/** Calls `fn` repeatedly; each run stops after RUN_MS or 50M calls, whichever comes first. */
export function measure(fn: () => void, bytes: number): Measurement {
  // Warm up so the JIT has settled on the fast path before the timed runs.
  for (let i = 0; i < 2000; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < RUNS; run++) {
    let calls = 0;
    let batch = 16;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < RUN_MS * 1e6 && calls < 50_000_000) {
      for (let i = 0; i < batch; i++) fn();
      calls += batch;
      if (batch < 4096) batch *= 2;
      elapsed = Number(process.hrtime.bigint() - start);
    }
    best = Math.min(best, elapsed / calls);
  }
  return { ns: best, gbps: bytes / best };
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
