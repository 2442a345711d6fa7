/**
 * The less common payload forms, converted for types.ts: the refinement helper types (Int,
 * Int64, DateTime, …), template literal types, Record with literal keys, and the words a
 * diagnostic uses for a type form that has no wire representation (what the user wrote, never
 * the compiler's internal names).
 */
import { ts } from 'ts-morph';
import { DIAGNOSTIC } from '../diagnostics.js';
import type { StringFormat, TypeModel } from '../model.js';
import { posOf, report, type ParseContext } from './context.js';

const UNKNOWN: TypeModel = { kind: 'unknown' };

/** Helper types of wampkit/codegen/schema that refine a base type; the rest are wire shapes. */
const FORMATS: Readonly<Record<string, StringFormat>> = { DateTime: 'date-time', IsoDate: 'date', Uuid: 'uuid', Email: 'email', Uri: 'uri' };

/** The refinement a helper type name stands for, or undefined for any other helper. */
export function refinementOf(ctx: ParseContext, name: string, node: ts.Node): TypeModel | undefined {
  if (name === 'Int') return { kind: 'number', integer: true };
  if (name === 'Int64') return { kind: 'bigint', int64: true, pos: posOf(ctx, node) };
  const format = FORMATS[name];
  return format === undefined ? undefined : { kind: 'string', format };
}

/** Span types a template literal may hold: what zod's templateLiteral can check. */
const SPAN_KINDS = new Set<TypeModel['kind']>(['string', 'number', 'bigint', 'boolean', 'literal', 'null']);

function spanOk(t: TypeModel): boolean {
  if (t.kind === 'union') return t.members.every(spanOk);
  return SPAN_KINDS.has(t.kind) && !(t.kind === 'string' && t.format !== undefined) && !(t.kind === 'bigint' && t.int64 === true);
}

/** `` `sku-${number}` ``: literal text and spans in turn. */
export function convertTemplate(ctx: ParseContext, node: ts.TemplateLiteralTypeNode, convert: (n: ts.TypeNode) => TypeModel): TypeModel {
  const parts: (string | TypeModel)[] = [];
  if (node.head.text !== '') parts.push(node.head.text);
  for (const span of node.templateSpans) {
    const t = convert(span.type);
    if (!spanOk(t)) {
      report(ctx, DIAGNOSTIC.unsupportedType, span.type, `\`${span.type.getText()}\` cannot be part of a template literal type`, 'use string, number, bigint, boolean, or literals (and unions of them) inside `${…}`');
      return UNKNOWN;
    }
    parts.push(t);
    if (span.literal.text !== '') parts.push(span.literal.text);
  }
  return { kind: 'template', parts };
}

/** The keys of `Record<K, T>` when K is a union of string literals (or a string enum). */
export function literalKeys(t: TypeModel, resolveEnum: (ref: Extract<TypeModel, { kind: 'ref' }>) => readonly (string | number)[] | undefined): string[] | undefined {
  const members = t.kind === 'union' ? t.members : [t];
  const keys: string[] = [];
  for (const m of members) {
    if (m.kind === 'literal' && typeof m.value === 'string') keys.push(m.value);
    else if (m.kind === 'ref') {
      const values = resolveEnum(m);
      if (values === undefined || !values.every((v) => typeof v === 'string')) return undefined;
      keys.push(...values.map(String));
    } else return undefined;
  }
  return keys.length > 0 ? [...new Set(keys)] : undefined;
}

/** What the user wrote, in words, for type forms with no wire form. */
const FORM_WORDS: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.MappedType]: 'a mapped type',
  [ts.SyntaxKind.ConditionalType]: 'a conditional type',
  [ts.SyntaxKind.IndexedAccessType]: 'an indexed access type',
  [ts.SyntaxKind.InferType]: 'an `infer` type',
  [ts.SyntaxKind.ThisType]: '`this`',
  [ts.SyntaxKind.TypePredicate]: 'a type predicate',
  [ts.SyntaxKind.ImportType]: 'an `import()` type',
  [ts.SyntaxKind.ObjectKeyword]: '`object`',
  [ts.SyntaxKind.NeverKeyword]: '`never`',
  [ts.SyntaxKind.IntrinsicKeyword]: 'an intrinsic type',
};

const FORM_HINTS: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.ObjectKeyword]: 'declare an object type with named members, or use Record<string, unknown>',
  [ts.SyntaxKind.NeverKeyword]: 'a payload that can never exist has no use on the wire; remove it',
  [ts.SyntaxKind.MappedType]: 'write the resulting object type out, or use Record<K, T>',
  [ts.SyntaxKind.IndexedAccessType]: 'name the member type with its own declaration',
};

export function unsupportedForm(node: ts.TypeNode): { message: string; hint: string } {
  const text = node.getText();
  const words = FORM_WORDS[node.kind] ?? `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
  return {
    message: `${words} cannot be represented on the wire`,
    hint: FORM_HINTS[node.kind] ?? 'use plain data types: primitives, literals, arrays, tuples, objects, unions, Record<K, T>, template literals',
  };
}
