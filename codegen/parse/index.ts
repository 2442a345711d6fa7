/**
 * The parse stage: schema files -> ModuleModel (plain data) + diagnostics. This folder is the
 * only code in wampgen that imports ts-morph. A `SchemaParser` keeps its ts-morph Project between
 * runs, so watch mode re-reads only the files that changed and re-converts only the modules
 * asked for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { Project, ts } from 'ts-morph';
import { DIAGNOSTIC, type Diagnostic } from '../diagnostics.js';
import type { DeclModel, ModuleModel, RefModel, Serializer } from '../model.js';
import { sortModule } from '../model.js';
import { fileJsDoc, posOf, report, resolveSymbol, type ParseContext } from './context.js';
import { compilerDiagnostics, withoutEchoes } from './compiler.js';
import { convertService, errorUriOf } from './services.js';
import { readTags, TAGS } from './tags.js';
import { convertMembers, convertType, docOf, docText } from './types.js';
import { uriProblem } from '../uri.js';

export interface ParserOptions {
  /** Directory module ids are relative to. */
  readonly root: string;
  /** Directory diagnostics' file names are relative to. */
  readonly cwd: string;
  /** Serializers a service must support unless it declares `@wamp.serializers`. */
  readonly serializers: readonly Serializer[];
}

export interface ParseResult {
  readonly modules: ModuleModel[];
  readonly diagnostics: Diagnostic[];
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** The module specifier schemas import wampgen's helper types from. */
export const SCHEMA_HELPERS = 'wampkit/codegen/schema';

/** The subpath of the wampkit package that SCHEMA_HELPERS names. */
const HELPERS_SUBPATH = './codegen/schema';

/**
 * The helper types of the wampkit this wampgen resolves (its peer dependency; in the
 * repository, runtime/): the TypeScript source behind the `@wampkit/source` condition where it
 * exists (a checkout), else the declaration file a published wampkit ships. Schemas resolve
 * SCHEMA_HELPERS to it through a path mapping, so a schema folder outside any project with
 * wampkit installed still compiles. Undefined when wampkit cannot be found from here; the
 * schema's own module resolution then applies (and the compiler reports what it cannot find).
 */
export function helperTypesFile(): string | undefined {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('wampkit/package.json');
  } catch {
    return undefined;
  }
  const exportsMap = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports;
  const entry = exportsMap?.[HELPERS_SUBPATH];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const targets = entry as Record<string, unknown>;
  return ['@wampkit/source', 'types']
    .map((condition) => targets[condition])
    .filter((target): target is string => typeof target === 'string')
    .map((target) => join(dirname(manifest), target))
    .find((file) => existsSync(file));
}

export function moduleIdFor(root: string, file: string): string {
  return toPosix(relative(root, file)).replace(/\.(d\.)?[cm]?tsx?$/, '');
}

export class SchemaParser {
  readonly #options: ParserOptions;
  readonly #project: Project;
  readonly #inputs = new Set<string>();

  constructor(options: ParserOptions) {
    this.#options = options;
    const helpers = helperTypesFile();
    this.#project = new Project({
      compilerOptions: {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        customConditions: ['@wampkit/source'],
        ...(helpers !== undefined ? { paths: { [SCHEMA_HELPERS]: [helpers] } } : {}),
        // es5 declares every global a schema may name (Array, Record, Uint8Array, Promise, Date…);
        // the later libs only add parse time.
        lib: ['lib.es5.d.ts'],
        types: [],
        noEmit: true,
        skipLibCheck: true,
      },
      skipAddingFilesFromTsConfig: true,
    });
  }

  /** Sets the input files (absolute paths); files no longer listed are forgotten. */
  setInputs(files: readonly string[]): void {
    const next = new Set(files);
    for (const old of this.#inputs) {
      if (!next.has(old)) {
        const sf = this.#project.getSourceFile(old);
        if (sf !== undefined) this.#project.removeSourceFile(sf);
        this.#inputs.delete(old);
      }
    }
    for (const file of files) {
      if (!this.#inputs.has(file)) {
        this.#project.addSourceFileAtPath(file);
        this.#inputs.add(file);
      }
    }
  }

  /** Re-reads changed input files from disk. */
  refresh(files: readonly string[]): void {
    for (const file of files) this.#project.getSourceFile(file)?.refreshFromFileSystemSync();
  }

  /** Converts the given input files (all inputs by default). */
  parse(only?: readonly string[]): ParseResult {
    const program = this.#project.getProgram().compilerObject;
    const checker = program.getTypeChecker();
    const diagnostics: Diagnostic[] = [];
    const { root, cwd, serializers } = this.#options;
    const inputs = this.#inputs;
    const ctx: ParseContext = {
      checker, program, diagnostics,
      moduleIdOf: (file) => (inputs.has(file.fileName) || inputs.has(toNative(file.fileName)) ? moduleIdFor(root, file.fileName) : undefined),
      displayName: (file) => toPosix(relative(cwd, file.fileName)),
    };
    const modules: ModuleModel[] = [];
    const own: Diagnostic[] = [];
    const fromCompiler: Diagnostic[] = [];
    for (const file of only ?? [...inputs].sort()) {
      const sf = program.getSourceFile(file) ?? program.getSourceFile(toPosix(file));
      if (sf === undefined) continue;
      const compiled = compilerDiagnostics(ctx, sf);
      fromCompiler.push(...compiled.syntax, ...compiled.semantic);
      if (compiled.syntax.length > 0) {
        // Nothing is converted from a file that does not parse: an empty module keeps its
        // place (and its diagnostics) until the file is fixed.
        modules.push({ id: ctx.moduleIdOf(sf) ?? sf.fileName, source: ctx.displayName(sf), decls: [], services: [] });
        continue;
      }
      modules.push(convertModule({ ...ctx, diagnostics: own }, sf, serializers));
    }
    diagnostics.push(...fromCompiler, ...withoutEchoes(own, fromCompiler));
    return { modules, diagnostics };
  }
}

function toNative(p: string): string {
  return sep === '/' ? p : p.split('/').join(sep);
}

function convertModule(ctx: ParseContext, sf: ts.SourceFile, serializers: readonly Serializer[]): ModuleModel {
  checkImports(ctx, sf);
  const decls: DeclModel[] = [];
  const services: ModuleModel['services'][number][] = [];
  for (const stmt of sf.statements) {
    if (ts.isInterfaceDeclaration(stmt)) {
      const service = convertService(ctx, stmt, serializers);
      if (service !== undefined) services.push(service);
      else decls.push(convertInterface(ctx, stmt));
    } else if (ts.isTypeAliasDeclaration(stmt)) {
      decls.push(convertAlias(ctx, stmt));
    } else if (ts.isEnumDeclaration(stmt)) {
      decls.push(convertEnum(ctx, stmt));
    } else if (ts.isClassDeclaration(stmt) && stmt.name !== undefined) {
      report(ctx, DIAGNOSTIC.classType, stmt.name, `class \`${stmt.name.text}\` cannot be part of a schema`, 'declare an interface: @wamp.procedures/@wamp.topics for an API, plain members for a payload');
    }
  }
  const id = ctx.moduleIdOf(sf) ?? sf.fileName;
  const head = fileJsDoc(sf);
  const doc = head === undefined ? undefined : docText([head]);
  return sortModule({ id, source: ctx.displayName(sf), decls, services, ...(doc !== undefined ? { doc } : {}) });
}

function checkImports(ctx: ParseContext, sf: ts.SourceFile): void {
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) && !(ts.isExportDeclaration(stmt) && stmt.moduleSpecifier !== undefined)) continue;
    const spec = stmt.moduleSpecifier;
    if (spec === undefined || !ts.isStringLiteral(spec)) continue;
    const symbol = ctx.checker.getSymbolAtLocation(spec);
    if (symbol === undefined) {
      report(ctx, DIAGNOSTIC.unresolvedImport, spec, `cannot resolve import "${spec.text}"`, 'check the path (relative imports end in .js) and that the file exists');
    }
  }
}

function typeParamsOf(ctx: ParseContext, params: ts.NodeArray<ts.TypeParameterDeclaration> | undefined): string[] {
  const names: string[] = [];
  for (const p of params ?? []) {
    if (p.default !== undefined || p.constraint !== undefined) {
      report(ctx, DIAGNOSTIC.unsupportedType, p, 'type parameter constraints and defaults are not supported', `declare it as plain \`${p.name.text}\``);
    }
    names.push(p.name.text);
  }
  return names;
}

function declTags(ctx: ParseContext, node: ts.Node): string | undefined {
  const tag = readTags(ctx, node, TAGS.decl).get('error');
  if (tag === undefined) return undefined;
  const problem = uriProblem(tag.value, 'exact');
  if (problem !== undefined) {
    ctx.diagnostics.push({ code: DIAGNOSTIC.badUri, severity: 'error', ...tag.pos, message: problem, hint: 'error URIs look like com.example.calc.division_by_zero' });
  }
  return errorUriOf(node);
}

function convertInterface(ctx: ParseContext, decl: ts.InterfaceDeclaration): DeclModel {
  const errorUri = declTags(ctx, decl);
  const typeParams = typeParamsOf(ctx, decl.typeParameters);
  const bases = convertHeritage(ctx, decl, new Set(typeParams));
  if (errorUri !== undefined && typeParams.length > 0) {
    report(ctx, DIAGNOSTIC.badError, decl.name, 'an application error payload cannot be generic', 'declare a concrete interface');
  }
  const type = convertMembers(ctx, decl.members, decl, { typeParams: new Set(typeParams) });
  const doc = docOf(decl);
  return {
    kind: 'interface', name: decl.name.text, typeParams, type,
    ...(bases.length > 0 ? { extends: bases } : {}), ...(doc ? { doc } : {}), ...(errorUri ? { errorUri } : {}), pos: posOf(ctx, decl.name),
  };
}

/** `extends A, B<T>`: references to interfaces or object type aliases declared in schema files. */
function convertHeritage(ctx: ParseContext, decl: ts.InterfaceDeclaration, typeParams: ReadonlySet<string>): RefModel[] {
  const out: RefModel[] = [];
  for (const clause of decl.heritageClauses ?? []) {
    for (const base of clause.types) {
      const symbol = resolveSymbol(ctx, ctx.checker.getSymbolAtLocation(base.expression));
      const target = symbol?.declarations?.[0];
      const module = target === undefined ? undefined : ctx.moduleIdOf(target.getSourceFile());
      if (target === undefined || module === undefined || !(ts.isInterfaceDeclaration(target) || ts.isTypeAliasDeclaration(target))) {
        report(ctx, DIAGNOSTIC.unsupportedType, base, `\`${base.expression.getText()}\` cannot be extended here`, 'extend interfaces or object type aliases declared in schema files');
        continue;
      }
      out.push({ kind: 'ref', name: symbol?.getName() ?? target.name.text, module, args: (base.typeArguments ?? []).map((a) => convertType(ctx, a, { typeParams })) });
    }
  }
  return out;
}

function convertAlias(ctx: ParseContext, decl: ts.TypeAliasDeclaration): DeclModel {
  const errorUri = declTags(ctx, decl);
  const typeParams = typeParamsOf(ctx, decl.typeParameters);
  const type = convertType(ctx, decl.type, { typeParams: new Set(typeParams) });
  if (errorUri !== undefined && (type.kind !== 'object' || typeParams.length > 0)) {
    report(ctx, DIAGNOSTIC.badError, decl.name, 'an application error payload must be a concrete object type', 'declare it as an interface or `type X = { … }`');
  }
  const doc = docOf(decl);
  return { kind: 'alias', name: decl.name.text, typeParams, type, ...(doc ? { doc } : {}), ...(errorUri ? { errorUri } : {}), pos: posOf(ctx, decl.name) };
}

function convertEnum(ctx: ParseContext, decl: ts.EnumDeclaration): DeclModel {
  readTags(ctx, decl, []);
  const members: { name: string; value: string | number; doc?: string }[] = [];
  for (const m of decl.members) {
    const value = ctx.checker.getConstantValue(m);
    const name = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
    if (value === undefined) {
      report(ctx, DIAGNOSTIC.unsupportedType, m, 'computed enum members cannot be represented', 'give the member a literal value');
      continue;
    }
    const doc = docOf(m);
    members.push({ name, value, ...(doc ? { doc } : {}) });
  }
  const doc = docOf(decl);
  return { kind: 'enum', name: decl.name.text, members, ...(doc ? { doc } : {}), pos: posOf(ctx, decl.name) };
}
