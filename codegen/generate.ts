/**
 * The pipeline, end to end: inputs -> parse -> model checks -> emit -> write. `generate()` is
 * the one-shot API for build tools; a `Generator` keeps its parser between runs so watch mode
 * re-parses only changed files (and the modules that depend on them).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DIAGNOSTIC, diagnostic, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { emit } from './emit/index.js';
import { buildGraph } from './emit/graph.js';
import { declTypes, walkType, type ModuleModel, type SchemaModel } from './model.js';
import { moduleIdFor, SchemaParser } from './parse/index.js';
import { ConfigError, normalizeOptions, type GenerateOptions, type NormalizedOptions } from './config.js';
import { moduleScope, SCOPE_FILE, SCOPE_MARKER } from './module-scope.js';
import { validateModel } from './validate.js';
import { removeGenerated, writeOutputs, type WriteReport } from './write.js';

export interface GenerateResult extends WriteReport {
  readonly diagnostics: Diagnostic[];
  /** True when there are no error diagnostics (and, in check mode, nothing is stale). */
  readonly ok: boolean;
  /** Check mode: generated files that are missing, different or (with clean) left over. */
  readonly stale: string[];
  /** The schema files read, relative to cwd. */
  readonly inputs: string[];
}

const SCHEMA_FILE = /\.(c|m)?ts$/;
const SKIP_FILE = /\.(d|test|spec)\.(c|m)?ts$/;

function expandInputs(inputs: readonly string[], cwd: string): { files: string[]; root: string; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const dirs: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 32) return;
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, depth + 1);
      else if (SCHEMA_FILE.test(name) && !SKIP_FILE.test(name)) files.add(full);
    }
  };
  for (const input of inputs) {
    const full = resolve(cwd, input);
    if (!existsSync(full)) { missing.push(input); continue; }
    if (statSync(full).isDirectory()) { dirs.push(full); walk(full, 0); } else files.add(full);
  }
  const sorted = [...files].sort();
  const root = dirs.length === 1 && sorted.every((f) => f.startsWith(dirs[0] + sep)) ? dirs[0] ?? cwd : commonDir(sorted, cwd);
  return { files: sorted, root, missing };
}

function commonDir(files: readonly string[], fallback: string): string {
  if (files.length === 0) return fallback;
  let common = dirname(files[0] ?? fallback);
  for (const f of files) while (!(f.startsWith(common + sep) || f === common)) common = dirname(common);
  return common;
}

/** Module ids each module refers to (types, errors). */
function dependencies(m: ModuleModel): Set<string> {
  const deps = new Set<string>();
  const add = (t: Parameters<typeof walkType>[0]): void => walkType(t, (x) => { if (x.kind === 'ref' && x.module !== m.id) deps.add(x.module); });
  for (const d of m.decls) for (const t of declTypes(d)) add(t);
  for (const s of m.services) {
    for (const member of [...s.procedures, ...s.topics]) {
      for (const a of member.args) add(a.type);
      if (member.kwargs) add(member.kwargs.type);
    }
    for (const p of s.procedures) {
      if (p.progress) add(p.progress);
      if (p.result.kind === 'single' || p.result.kind === 'kwargs') add(p.result.type);
      if (p.result.kind === 'multi') for (const e of p.result.elements) add(e.type);
      for (const e of p.errors) if (e.module !== m.id) deps.add(e.module);
    }
  }
  return deps;
}

export class Generator {
  readonly #options: NormalizedOptions;
  #parser: SchemaParser | undefined;
  #root = '';
  #files: string[] = [];
  readonly #modules = new Map<string, ModuleModel>();
  readonly #parseDiagnostics = new Map<string, Diagnostic[]>();
  readonly #known = new Map<string, string>();
  #setup: Diagnostic[] = [];
  #cyclic = new Set<string>();
  /** Modules re-parsed while the schema set had errors: they still need rendering. */
  readonly #dirty = new Set<string>();

  constructor(options: GenerateOptions) {
    this.#options = normalizeOptions(options);
  }

  get options(): NormalizedOptions { return this.#options; }

  /** The schema files currently read (absolute). */
  get files(): readonly string[] { return this.#files; }

  /** Reads every input and generates everything. */
  run(): GenerateResult {
    const { files, root, missing } = expandInputs(this.#options.inputs, this.#options.cwd);
    // A path that is not there is a mistake in the command or config, not in a schema.
    if (missing.length > 0) {
      const shown = missing.map((m) => JSON.stringify(relative(this.#options.cwd, resolve(this.#options.cwd, m)) || m));
      throw new ConfigError(`input ${shown.join(', ')} does not exist (pass existing schema files or directories)`);
    }
    this.#setup = [];
    if (files.length === 0) {
      this.#setup.push(diagnostic(DIAGNOSTIC.noInputs, { file: this.#options.inputs.join(' ') || '.', line: 1, column: 1 }, 'no schema files found in the inputs', 'pass .ts schema files or directories containing them'));
    }
    if (this.#parser === undefined || root !== this.#root) {
      this.#parser = new SchemaParser({ root, cwd: this.#options.cwd, serializers: this.#options.serializers });
      this.#root = root;
    }
    // A reused parser re-reads the files it had: a full run sees what is on disk now.
    const known = this.#files.filter((f) => files.includes(f));
    this.#files = files;
    this.#parser.setInputs(files);
    this.#parser.refresh(known);
    this.#modules.clear();
    this.#parseDiagnostics.clear();
    this.#known.clear();
    return this.#generate(files, undefined);
  }

  /**
   * Regenerates after the given files changed (absolute paths; added, modified or deleted).
   * Only they and the modules depending on them are parsed and rendered again.
   */
  update(changed: readonly string[]): GenerateResult {
    if (this.#parser === undefined) return this.run();
    const { files, root } = expandInputs(this.#options.inputs, this.#options.cwd);
    if (root !== this.#root) return this.run();
    const added = files.filter((f) => !this.#files.includes(f));
    const removed = this.#files.filter((f) => !files.includes(f));
    this.#files = files;
    this.#parser.setInputs(files);
    const touched = new Set([...changed.filter((f) => files.includes(f)), ...added]);
    this.#parser.refresh([...touched].filter((f) => !added.includes(f)));
    for (const f of removed) {
      const id = moduleIdFor(root, f);
      this.#modules.delete(id);
      this.#parseDiagnostics.delete(id);
    }
    // Direct dependents are parsed again: a name they import may have gone. Rendering further
    // out only changes when reference cycles change, which #generate checks on the new model.
    const changedIds = new Set([...touched, ...removed].map((f) => moduleIdFor(root, f)));
    const reparseIds = new Set(changedIds);
    for (const [id, m] of this.#modules) {
      if ([...dependencies(m)].some((d) => changedIds.has(d))) reparseIds.add(id);
    }
    const reparse = files.filter((f) => reparseIds.has(moduleIdFor(root, f)));
    const result = this.#generate(reparse, reparseIds);
    if (!result.ok || !this.#options.clean || removed.length === 0) return result;
    // The output of a deleted schema file goes too (a full run's clean would find it as well).
    const gone = removeGenerated(this.#options.outDir, removed.map((f) => `${moduleIdFor(root, f)}.ts`), this.#options.check);
    for (const path of gone) this.#known.delete(path);
    return { ...result, removed: [...result.removed, ...gone] };
  }

  #generate(parseFiles: readonly string[], only: ReadonlySet<string> | undefined): GenerateResult {
    const parser = this.#parser;
    if (parser === undefined) throw new Error('unreachable: parser missing');
    const parsed = parser.parse(parseFiles);
    for (const m of parsed.modules) {
      this.#modules.set(m.id, m);
      this.#parseDiagnostics.set(m.id, parsed.diagnostics.filter((d) => d.file === m.source));
    }
    const claimed = new Set(parsed.modules.map((m) => m.source));
    const orphans = parsed.diagnostics.filter((d) => !claimed.has(d.file));
    const model: SchemaModel = { modules: [...this.#modules.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) };
    const diagnostics = sortDiagnostics([...this.#setup, ...orphans, ...[...this.#parseDiagnostics.values()].flat(), ...validateModel(model)]);
    const inputs = model.modules.map((m) => m.source);
    if (diagnostics.some((d) => d.severity === 'error')) {
      for (const m of parsed.modules) this.#dirty.add(m.id);
      return { diagnostics, ok: false, stale: [], written: [], unchanged: [], removed: [], inputs };
    }
    const graph = buildGraph(model);
    let render = only;
    if (only !== undefined) {
      only = new Set([...only, ...this.#dirty]);
      // A module whose declarations joined or left a reference cycle renders differently (z.lazy).
      const moved = new Set([...graph.cyclic, ...this.#cyclic].filter((k) => graph.cyclic.has(k) !== this.#cyclic.has(k)).map((k) => k.split('#')[0] ?? ''));
      render = new Set([...only, ...moved]);
    }
    this.#cyclic = new Set(graph.cyclic);
    this.#dirty.clear();
    const out = emit(model, { runtimeImport: this.#options.runtimeImport, zodImport: this.#options.zodImport, ...(render ? { only: render } : {}) }, graph);
    const scope = moduleScope(this.#options.outDir);
    if (scope.kind === 'conflict') {
      throw new ConfigError(`${scope.path} is not "type": "module", but generated modules are ES modules: choose another output directory, or set "type": "module" there`);
    }
    if (scope.kind === 'marker') out.set(SCOPE_FILE, SCOPE_MARKER);
    const { check, clean } = this.#options;
    const report = writeOutputs(this.#options.outDir, out, { check, clean: clean && only === undefined, known: this.#known });
    if (!check) for (const [path, content] of out) this.#known.set(path, content);
    const stale = check ? [...report.written, ...report.removed] : [];
    return { ...report, diagnostics, ok: stale.length === 0, stale, inputs };
  }
}

/** Generates typed stubs once (the programmatic API; the CLI is a thin wrapper around it). */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  return new Generator(options).run();
}
