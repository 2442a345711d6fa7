/**
 * What the parse stage's converters share: the checker, where the inputs are, and the
 * diagnostics sink. Part of the parse stage, the only code that touches ts-morph's TS API.
 */
import { ts } from 'ts-morph';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { diagnostic } from '../diagnostics.js';
import type { SourcePos } from '../model.js';

export interface ParseContext {
  readonly checker: ts.TypeChecker;
  readonly program: ts.Program;
  /** The module id of an input file, undefined for any other file. */
  moduleIdOf(file: ts.SourceFile): string | undefined;
  /** The file name diagnostics show (relative to the working directory). */
  displayName(file: ts.SourceFile): string;
  readonly diagnostics: Diagnostic[];
}

export function posOf(ctx: ParseContext, node: ts.Node): SourcePos {
  const file = node.getSourceFile();
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return { file: ctx.displayName(file), line: line + 1, column: character + 1 };
}

export function report(ctx: ParseContext, code: DiagnosticCode, node: ts.Node, message: string, hint: string): void {
  ctx.diagnostics.push(diagnostic(code, posOf(ctx, node), message, hint));
}

/** Follows import aliases to the symbol that declares the thing. */
export function resolveSymbol(ctx: ParseContext, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  let current = symbol;
  for (let i = 0; current !== undefined && current.flags & ts.SymbolFlags.Alias && i < 16; i++) {
    const next = ctx.checker.getAliasedSymbol(current);
    if (next === current || next.flags & ts.SymbolFlags.Transient && next.declarations === undefined) return undefined;
    current = next;
  }
  return current;
}

/**
 * True when the declaration is one of wampgen's helper types: wampkit's codegen/schema-types
 * (runtime/codegen/schema-types.ts in the repository, dist/codegen/schema-types.d.ts installed).
 */
export function isHelperDeclaration(decl: ts.Declaration): boolean {
  const name = decl.getSourceFile().fileName;
  return /[/\\]schema-types\.(d\.)?[cm]?[tj]s$/.test(name) && /[/\\]codegen[/\\]/.test(name);
}

export function helperName(ctx: ParseContext, ref: ts.TypeReferenceNode): string | undefined {
  const symbol = resolveSymbol(ctx, ctx.checker.getSymbolAtLocation(ref.typeName));
  const decl = symbol?.declarations?.[0];
  return decl !== undefined && isHelperDeclaration(decl) ? symbol?.getName() : undefined;
}

export function isLibDeclaration(ctx: ParseContext, decl: ts.Declaration): boolean {
  return ctx.program.isSourceFileDefaultLibrary(decl.getSourceFile());
}

function jsDocs(node: ts.Node): readonly ts.JSDoc[] {
  return (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
}

/**
 * A node's own JSDoc: the comment right before it. TypeScript also attaches earlier JSDoc
 * blocks (a file's leading comment above the first declaration); those are not the node's.
 */
export function ownJsDoc(node: ts.Node): readonly ts.JSDoc[] {
  const docs = jsDocs(node);
  const first = node.getSourceFile().statements[0];
  if (node === first && isFileDocHolder(node, docs)) return docs.length > 1 ? docs.slice(-1) : [];
  return docs.slice(-1);
}

function isFileDocHolder(node: ts.Node, docs: readonly ts.JSDoc[]): boolean {
  return docs.length > 1 || (docs.length === 1 && (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isImportEqualsDeclaration(node)));
}

/** The file's leading JSDoc comment (one above an import, or above another declaration's own). */
export function fileJsDoc(sf: ts.SourceFile): ts.JSDoc | undefined {
  const first = sf.statements[0];
  if (first === undefined) return undefined;
  const docs = jsDocs(first);
  return isFileDocHolder(first, docs) ? docs[0] : undefined;
}
