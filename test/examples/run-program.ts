// Runs an example program as a user would and collects what it printed, bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  stdout: string;
}

export interface RunOptions {
  cwd: string;
  limitMs: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs to completion; past `limitMs` the process is killed and the run reports the signal. */
export function runProgram(command: string, args: string[], options: RunOptions): Promise<ProgramRun> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, options.limitMs);
}

export function collect(child: ChildProcess, limitMs: number): Promise<ProgramRun> {
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => { output += d; stdout += d; });
  child.stderr?.on('data', (d: Buffer) => (output += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: signal === null ? output : `${output}\n[killed: ${signal} after ${limitMs} ms limit or by someone]`, stdout });
    });
  });
}

/** Starts a long-running program and resolves once its output matches `ready`. */
export function startProgram(command: string, args: string[], options: RunOptions & { ready: RegExp }): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string; finished: Promise<ProgramRun> }> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const finished = collect(child, 5 * 60_000);
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within ${options.limitMs} ms: ${seen}`));
    }, options.limitMs);
    const onData = (d: Buffer): void => {
      seen += d;
      const match = options.ready.exec(seen);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      resolve({ child, match, output: () => seen, finished });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void finished.then((run) => {
      clearTimeout(timer);
      reject(new Error(`exited (${run.code ?? run.signal}) before it was ready: ${run.output}`));
    });
  });
}
