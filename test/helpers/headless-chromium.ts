/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (never a downloaded browser), with the flags this closed network needs, and esbuild to
 * bundle the code under test. Tests skip with the reason when a piece is missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TestContext } from 'node:test';

const require_ = createRequire(import.meta.url);

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
/** Without the background-networking flags Chromium keeps trying hosts it cannot reach here. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface BrowserTools {
  playwright: typeof import('playwright-core');
  esbuild: typeof import('esbuild');
  launch(): Promise<import('playwright-core').Browser>;
}

/** playwright-core, esbuild and Chromium, or undefined after `t.skip` naming what is missing. */
export function browserTools(t: TestContext): BrowserTools | undefined {
  let playwright: typeof import('playwright-core');
  let esbuild: typeof import('esbuild');
  try {
    playwright = require_('playwright-core') as typeof import('playwright-core');
    esbuild = require_('esbuild') as typeof import('esbuild');
  } catch {
    t.skip('playwright-core or esbuild is not installed');
    return undefined;
  }
  const executablePath = CHROMIUM;
  if (executablePath === undefined) {
    t.skip('chromium is not installed (/usr/bin/chromium)');
    return undefined;
  }
  return {
    playwright,
    esbuild,
    launch: () => playwright.chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 }),
  };
}
