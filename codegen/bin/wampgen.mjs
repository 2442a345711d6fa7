#!/usr/bin/env node
// The `wampgen` command. It imports the package by its own name, so it runs the compiled
// JavaScript of dist/ as every user of the package does; only a process started with the
// repository's `--conditions=@wampkit/source` (and tsx) gets the TypeScript sources instead.
import { runCli } from 'wampgen';

process.exitCode = await runCli(process.argv.slice(2));
