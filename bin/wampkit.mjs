#!/usr/bin/env node
// The `wampkit` command (`npx wampkit router ...`). Runs the built router CLI from dist/ when the
// package was built, else the TypeScript sources through tsx (a development checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/runtime/router/cli.js', import.meta.url));
let cli;
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../runtime/router/cli.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
