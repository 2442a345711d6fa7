#!/usr/bin/env node
// The `wampkit` command (`npx wampkit router ...`). In a development checkout (TypeScript
// sources and tsx present) it runs the sources, so a stale dist/ never shadows them; an
// installed package runs the built dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../runtime/router/cli.ts', import.meta.url));
const built = fileURLToPath(new URL('../dist/runtime/router/cli.js', import.meta.url));

function hasTsx() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

let cli;
if (existsSync(source) && hasTsx()) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  process.stderr.write('wampkit: neither dist/ (run `npm run build`) nor tsx with the TypeScript sources is available\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
