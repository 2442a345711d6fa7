// Runs an interop peer as a child process with bounded waits; always cleaned up by stop().
import { spawn, type ChildProcess } from 'node:child_process';

export class PeerProcess {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  #wakers: Array<() => void> = [];

  constructor(command: string, args: string[], cwd?: string) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => {
      resolve(code);
      this.#wake();
    }));
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.#wake();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.child.stdin!.on('error', () => {});
  }

  #wake(): void {
    const w = this.#wakers;
    this.#wakers = [];
    for (const f of w) f();
  }

  /** Resolves with the first match of `pattern` in stdout; rejects on "error ..." lines, exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 40_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 10_000; round++) {
      const m = pattern.exec(this.out);
      if (m !== null) return m;
      const e = /^error (.*)$/m.exec(this.out);
      if (e !== null) throw new Error(`peer failed: ${e[1]}\nstderr: ${this.err.slice(-2000)}`);
      if (this.child.exitCode !== null) throw new Error(`peer exited (${this.child.exitCode}) before ${pattern}\nstdout: ${this.out}\nstderr: ${this.err.slice(-2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wakers.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    throw new Error(`timed out waiting for ${pattern}\nstdout: ${this.out}\nstderr: ${this.err.slice(-2000)}`);
  }

  /** Closes stdin (the peer's cue to leave), waits briefly, then kills. */
  async stop(graceMs = 5000): Promise<number | null> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
