/**
 * What the TypeScript compiler itself says about a schema file: every syntax error and every
 * semantic error (unresolved import, unknown name, a violated constraint, …) becomes a
 * diagnostic with the compiler's own message and code, so wampgen never generates from a file
 * `tsc` would reject. Part of the parse stage (the only code that imports ts-morph).
 */
import { ts } from 'ts-morph';
import { DIAGNOSTIC, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import type { ParseContext } from './context.js';

/** Compiler error codes that have a wampgen code of their own (stable for tools). */
const MAPPED: Readonly<Record<number, DiagnosticCode>> = {
  2305: DIAGNOSTIC.unresolvedImport, // Module '…' has no exported member '…'.
  2307: DIAGNOSTIC.unresolvedImport, // Cannot find module '…' or its corresponding type declarations.
  2304: DIAGNOSTIC.unresolvedType, // Cannot find name '…'.
  2552: DIAGNOSTIC.unresolvedType, // Cannot find name '…'. Did you mean '…'?
};

const HINT = {
  syntax: 'fix the syntax: wampgen generates nothing while a schema file does not compile',
  semantic: 'fix the error: wampgen generates nothing while a schema file does not compile',
} as const;

function convert(ctx: ParseContext, d: ts.Diagnostic, kind: keyof typeof HINT): Diagnostic {
  const file = d.file;
  const at = file === undefined || d.start === undefined ? { line: 0, character: 0 } : file.getLineAndCharacterOfPosition(d.start);
  const code = kind === 'syntax' ? DIAGNOSTIC.syntaxError : MAPPED[d.code] ?? DIAGNOSTIC.typeError;
  return {
    code, severity: 'error',
    file: file === undefined ? '' : ctx.displayName(file), line: at.line + 1, column: at.character + 1,
    message: `${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code})`,
    hint: HINT[kind],
  };
}

export interface CompilerReport {
  readonly syntax: Diagnostic[];
  readonly semantic: Diagnostic[];
}

/** The compiler's errors in one schema file (warnings and suggestions are not errors). */
export function compilerDiagnostics(ctx: ParseContext, sf: ts.SourceFile): CompilerReport {
  const errors = (list: readonly ts.Diagnostic[]): ts.Diagnostic[] => list.filter((d) => d.category === ts.DiagnosticCategory.Error);
  const syntax = errors(ctx.program.getSyntacticDiagnostics(sf)).map((d) => convert(ctx, d, 'syntax'));
  // A file that does not parse has no meaningful types; its semantic errors would only echo that.
  const semantic = syntax.length > 0 ? [] : errors(ctx.program.getSemanticDiagnostics(sf)).map((d) => convert(ctx, d, 'semantic'));
  return { syntax, semantic };
}

/**
 * wampgen's own reports of an unresolved import or name where the compiler already reported
 * one at the same place say the same thing less precisely: the compiler's wins.
 */
export function withoutEchoes(own: readonly Diagnostic[], compiler: readonly Diagnostic[]): Diagnostic[] {
  const places = new Set(compiler.map((d) => `${d.file}:${d.line}:${d.column}`));
  const echo = new Set<DiagnosticCode>([DIAGNOSTIC.unresolvedImport, DIAGNOSTIC.unresolvedType]);
  return own.filter((d) => !(echo.has(d.code) && places.has(`${d.file}:${d.line}:${d.column}`)));
}
