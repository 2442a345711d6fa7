/**
 * Child-side profiling for `--profile`: a V8 CPU profile or an allocation-sampling heap profile
 * of exactly one measured part (started after the warmup, stopped after the measurement,
 * through an in-process inspector session), and a count of socket writes.
 *
 * The heap profile keeps the objects that minor and major GCs collected, so short-lived
 * per-message garbage shows up where it was allocated (Node's --heap-prof keeps only the
 * objects still alive when it stops, which hides exactly that).
 */
import { Session } from 'node:inspector';
import net from 'node:net';
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import type { Request } from './ipc.js';

export type ProfileKind = 'cpu' | 'heap';

/** µs between CPU samples: fine enough for per-message work at tens of thousands of messages/s. */
const CPU_SAMPLING_US = 100;
/** Mean bytes between heap samples. */
const HEAP_SAMPLING_BYTES = 4096;

let session: Session | null = null;
let running: ProfileKind | null = null;

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    session!.post(method, params, (error, result) => (error === null ? resolve(result as T) : reject(error)));
  });
}

export async function startProfile(request: Request): Promise<{ ok: true }> {
  const kind = request.kind as ProfileKind;
  if (running !== null) throw new Error(`a ${running} profile is already running`);
  if (session === null) {
    session = new Session();
    session.connect();
  }
  if (kind === 'cpu') {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: CPU_SAMPLING_US });
    await post('Profiler.start');
  } else {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_BYTES, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  running = kind;
  return { ok: true };
}

/** Stops the running profile and writes it to `request.path` (.cpuprofile or .heapprofile). */
export async function stopProfile(request: Request): Promise<{ path: string }> {
  const path = request.path as string;
  if (running === 'cpu') {
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
  } else if (running === 'heap') {
    const { profile } = await post<{ profile: unknown }>('HeapProfiler.stopSampling');
    writeFileSync(path, JSON.stringify(profile));
  } else {
    throw new Error('no profile is running');
  }
  running = null;
  return { path };
}

const writes = { single: 0, vectored: 0, reads: 0 };

/**
 * Counts the writes that reach a socket's handle: net.Socket funnels both `_write` and
 * `_writev` (a corked batch) into `_writeGeneric`, one handle write each. And the reads: every
 * chunk the handle read is pushed into the socket's readable side once.
 */
export function countSocketWrites(): void {
  const readable = Readable.prototype as unknown as { push: (chunk: unknown, ...rest: unknown[]) => boolean };
  const push = readable.push;
  (net.Socket.prototype as unknown as typeof readable).push = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    if (chunk !== null) writes.reads++;
    return push.call(this, chunk, ...rest);
  };
  const proto = net.Socket.prototype as unknown as { _writeGeneric: (writev: boolean, ...rest: unknown[]) => unknown };
  const original = proto._writeGeneric;
  if (typeof original !== 'function') throw new Error('net.Socket has no _writeGeneric in this Node version');
  proto._writeGeneric = function (this: unknown, writev: boolean, ...rest: unknown[]) {
    if (writev) writes.vectored++;
    else writes.single++;
    return original.call(this, writev, ...rest);
  };
}

export async function socketWrites(): Promise<{ single: number; vectored: number; reads: number }> {
  return { ...writes };
}
