#!/usr/bin/env node
// The `wampkit` command (`npx wampkit router ...`). It imports the package by its own name, so
// it runs the compiled JavaScript of dist/ as every user of the package does; only a process
// started with the repository's `--conditions=@wampkit/source` (and tsx) gets the TypeScript
// sources instead, which is how the tests run it.
import { runCli } from 'wampkit/router';

process.exitCode = await runCli(process.argv.slice(2));
