#!/usr/bin/env node
// The wampgen launcher: runs the compiled CLI from dist when the package is built, else the
// TypeScript sources through tsx (in a checkout, before `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../../dist/codegen/cli.js', import.meta.url));
let cli;
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../cli.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
