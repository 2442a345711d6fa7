/**
 * Schema diagnostics: every problem wampgen finds in a schema is one of these, with its place
 * (file:line:col), a one-line reason and a hint. Codes are stable (tools may match on them).
 */
import type { SourcePos } from './model.js';

/** Stable diagnostic codes. */
export const DIAGNOSTIC = {
  unsupportedType: 'WG001',
  anyType: 'WG002',
  functionType: 'WG003',
  classType: 'WG004',
  symbolType: 'WG005',
  unresolvedImport: 'WG006',
  indexSignature: 'WG007',
  unresolvedType: 'WG008',
  outsideInputs: 'WG009',
  bigintSerializer: 'WG010',
  badTag: 'WG011',
  badUri: 'WG012',
  badMember: 'WG013',
  duplicateName: 'WG014',
  badError: 'WG015',
  badKwargs: 'WG016',
  genericMember: 'WG017',
  noInputs: 'WG018',
  duplicateUri: 'WG019',
  /** A TypeScript syntax error in a schema file (the compiler's message and TS code). */
  syntaxError: 'WG020',
  /** Any other error the compiler reports on a schema file (the compiler's message and TS code). */
  typeError: 'WG021',
} as const;
export type DiagnosticCode = (typeof DIAGNOSTIC)[keyof typeof DIAGNOSTIC];

export interface Diagnostic extends SourcePos {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  /** One line: what is wrong. */
  readonly message: string;
  /** One line: what to do instead. */
  readonly hint: string;
}

export function diagnostic(code: DiagnosticCode, pos: SourcePos, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', file: pos.file, line: pos.line, column: pos.column, message, hint };
}

/** `file:line:col - error WG001: reason` then an indented hint line, as compilers print. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}\n  hint: ${d.hint}`;
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
