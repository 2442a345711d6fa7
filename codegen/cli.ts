/**
 * The `wampgen` command line. Exit codes (stable, documented in docs/schema.md):
 *   0 generated (or up to date), 1 --check found stale files, 2 schema errors,
 *   3 bad usage or configuration, 4 unexpected failure (I/O, bug).
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, type GenerateOptions } from './config.js';
import { formatDiagnostic } from './diagnostics.js';
import { Generator, type GenerateResult } from './generate.js';
import type { Serializer } from './model.js';
import { watchSchemas } from './watch.js';

export const EXIT = { ok: 0, stale: 1, schemaErrors: 2, usage: 3, internal: 4 } as const;

const USAGE = `usage: wampgen <files or dirs...> -o <out> [options]

  -o, --out <dir>          output directory
  -c, --config <file>      config file (default: ./wampgen.config.json if present)
      --runtime <spec>     module generated code imports its runtime from (default: wampkit/stubs)
      --serializers <list> serializers services must support, e.g. msgpack,cbor (default: json,msgpack,cbor)
      --check              write nothing; exit 1 and name stale files when the output is out of date
      --clean              remove generated files the schemas no longer produce
      --watch              regenerate when schemas change
      --format <text|json> diagnostics format (default: text)
  -h, --help               this help

exit codes: 0 ok, 1 stale (--check), 2 schema errors, 3 usage/config error, 4 internal error`;

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

function report(result: GenerateResult, format: 'text' | 'json', check: boolean, io: Io, outDir: string): number {
  const code = result.diagnostics.some((d) => d.severity === 'error') ? EXIT.schemaErrors : check && result.stale.length > 0 ? EXIT.stale : EXIT.ok;
  if (format === 'json') {
    io.out(JSON.stringify({
      ok: code === EXIT.ok, exitCode: code, diagnostics: result.diagnostics,
      // --check writes nothing: what would change is listed under stale only.
      written: check ? [] : result.written, removed: check ? [] : result.removed, stale: result.stale,
    }));
    return code;
  }
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  const out = relative(io.cwd, outDir) || '.';
  if (code === EXIT.schemaErrors) io.err(`wampgen: ${result.diagnostics.length} error(s); nothing written`);
  else if (check) io.err(result.stale.length > 0 ? `wampgen: stale in ${out}: ${result.stale.join(', ')}` : `wampgen: ${out} is up to date`);
  else io.err(`wampgen: ${result.written.length} written, ${result.unchanged.length} unchanged${result.removed.length ? `, ${result.removed.length} removed` : ''} in ${out}`);
  return code;
}

/** Runs the CLI; resolves to the exit code (watch mode resolves only when `signal` aborts). */
export async function main(argv: readonly string[], io: Io = { out: (t) => console.log(t), err: (t) => console.error(t), cwd: process.cwd() }, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' }, config: { type: 'string', short: 'c' }, runtime: { type: 'string' },
        serializers: { type: 'string' }, check: { type: 'boolean' }, clean: { type: 'boolean' }, watch: { type: 'boolean' },
        format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`wampgen: ${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(USAGE); return EXIT.ok; }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') { io.err(`wampgen: --format must be text or json, got "${format}"`); return EXIT.usage; }
  try {
    const configPath = values.config ?? (existsSync(resolve(io.cwd, 'wampgen.config.json')) ? 'wampgen.config.json' : undefined);
    const config = configPath === undefined ? undefined : loadConfigFile(resolve(io.cwd, configPath));
    const fromConfig = (p: string): string => resolve(config?.dir ?? io.cwd, p);
    const inputs = positionals.length > 0 ? positionals.map((p) => resolve(io.cwd, p)) : (config?.inputs ?? []).map(fromConfig);
    const outDir = values.out !== undefined ? resolve(io.cwd, values.out) : config?.outDir !== undefined ? fromConfig(config.outDir) : undefined;
    if (inputs.length === 0 || outDir === undefined) {
      io.err(`wampgen: ${inputs.length === 0 ? 'no inputs given' : 'no output directory given (-o)'}\n${USAGE}`);
      return EXIT.usage;
    }
    const serializers = values.serializers !== undefined ? values.serializers.split(',').map((s) => s.trim()) as Serializer[] : config?.serializers;
    const options: GenerateOptions = {
      inputs, outDir, cwd: io.cwd,
      ...(values.runtime ?? config?.runtimeImport ? { runtimeImport: values.runtime ?? config?.runtimeImport } : {}),
      ...(config?.zodImport ? { zodImport: config.zodImport } : {}),
      ...(serializers ? { serializers } : {}),
      check: values.check === true,
      clean: values.clean === true || config?.clean === true,
    };
    const generator = new Generator(options);
    const first = report(generator.run(), format, options.check === true, io, generator.options.outDir);
    if (values.watch !== true) return first;
    io.err('wampgen: watching for changes (Ctrl-C to stop)');
    const watcher = watchSchemas(generator, (result, changed) => {
      if (format === 'text') io.err(`wampgen: ${changed.map((c) => relative(io.cwd, c)).join(', ')} changed`);
      report(result, format, false, io, generator.options.outDir);
    });
    await new Promise<void>((done) => {
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', () => done(), { once: true });
      process.once('SIGINT', () => done());
    });
    watcher.close();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigError) { io.err(`wampgen: ${error.message}`); return EXIT.usage; }
    io.err(`wampgen: internal error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.internal;
  }
}
