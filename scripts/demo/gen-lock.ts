/**
 * `npm run demo` and `npm run demo:browser` (and their tests, which may run at the same time)
 * write the same generated files: wampgen rewrites a file by truncating it, so a typecheck or
 * bundle reading it meanwhile could see half a file. One lock directory (mkdir is atomic)
 * serialises generate-and-read; a lock left by a killed process is taken over after a while.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const POLL_MS = 100;
/** Longer than any generate + typecheck/bundle takes on a loaded machine. */
const STALE_MS = 180_000;

export async function withGenLock<T>(genDir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(genDir, { recursive: true });
  const lock = join(genDir, '.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between our attempt and the stat: try again at once
      }
      if (age > STALE_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  // process.exit() (a failing demo step) skips `finally`: release on exit too.
  const release = (): void => rmSync(lock, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await work();
  } finally {
    process.off('exit', release);
    release();
  }
}
