/**
 * TypeScript type syntax -> TypeModel. Works on the syntax (so names, generics and positions
 * survive) and asks the checker only what a name refers to. Anything that cannot travel as a
 * WAMP payload is reported where it is written; conversion then continues with `unknown` so one
 * run reports every problem.
 */
import { ts } from 'ts-morph';
import { DIAGNOSTIC } from '../diagnostics.js';
import type { PropModel, TupleElement, TypeModel } from '../model.js';
import { isServiceInterface } from './services.js';
import { helperName, isLibDeclaration, ownJsDoc, posOf, report, resolveSymbol, type ParseContext } from './context.js';
import { convertTemplate, literalKeys, refinementOf, unsupportedForm } from './type-forms.js';

const UNKNOWN: TypeModel = { kind: 'unknown' };

/** Lib types with a dedicated hint, because people reach for them. */
const LIB_HINTS: Readonly<Record<string, string>> = {
  Date: 'send an ISO 8601 string (or epoch milliseconds as number)',
  Map: 'use Record<string, T> or an array of [key, value] tuples',
  Set: 'use an array',
  Promise: 'Promise is only allowed as a procedure return type',
  Partial: 'declare the resulting object type explicitly',
  Pick: 'declare the resulting object type explicitly',
  Omit: 'declare the resulting object type explicitly',
  Required: 'declare the resulting object type explicitly',
  Readonly: 'declare the resulting object type explicitly',
  ArrayBuffer: 'use Uint8Array for binary payloads',
  Buffer: 'use Uint8Array for binary payloads',
  Error: 'declare an error payload interface with @wamp.error and list it with @throws',
  Function: 'payloads are data; register a procedure instead of sending a function',
  Object: 'declare an object type with named members',
};

export interface TypeScope {
  readonly typeParams: ReadonlySet<string>;
}

export function convertType(ctx: ParseContext, node: ts.TypeNode, scope: TypeScope): TypeModel {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword: return { kind: 'number' };
    case ts.SyntaxKind.BooleanKeyword: return { kind: 'boolean' };
    case ts.SyntaxKind.UnknownKeyword: return { kind: 'unknown' };
    case ts.SyntaxKind.BigIntKeyword: return { kind: 'bigint', pos: posOf(ctx, node) };
    case ts.SyntaxKind.AnyKeyword:
      return fail(ctx, DIAGNOSTIC.anyType, node, '`any` cannot be validated or typed', 'use `unknown` if the value is really free-form, or declare its type');
    case ts.SyntaxKind.SymbolKeyword:
      return fail(ctx, DIAGNOSTIC.symbolType, node, 'a symbol cannot be serialised', 'use a string or a literal union');
    case ts.SyntaxKind.UndefinedKeyword:
    case ts.SyntaxKind.VoidKeyword:
      return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${node.getText()}\` is not a payload value`, 'make the member optional (`name?: T`) or use `null`');
    case ts.SyntaxKind.ParenthesizedType:
      return convertType(ctx, (node as ts.ParenthesizedTypeNode).type, scope);
    case ts.SyntaxKind.LiteralType:
      return convertLiteral(ctx, node as ts.LiteralTypeNode);
    case ts.SyntaxKind.ArrayType:
      return { kind: 'array', element: convertType(ctx, (node as ts.ArrayTypeNode).elementType, scope) };
    case ts.SyntaxKind.TemplateLiteralType:
      return convertTemplate(ctx, node as ts.TemplateLiteralTypeNode, (n) => convertType(ctx, n, scope));
    case ts.SyntaxKind.TypeOperator: {
      const op = node as ts.TypeOperatorNode;
      if (op.operator === ts.SyntaxKind.ReadonlyKeyword) {
        const inner = convertType(ctx, op.type, scope);
        return inner.kind === 'array' || inner.kind === 'tuple' ? { ...inner, readonly: true } : inner;
      }
      if (op.operator === ts.SyntaxKind.UniqueKeyword) return fail(ctx, DIAGNOSTIC.symbolType, node, 'a symbol cannot be serialised', 'use a string or a literal union');
      return fail(ctx, DIAGNOSTIC.unsupportedType, node, '`keyof` types cannot be represented on the wire', 'write the literal union of keys out');
    }
    case ts.SyntaxKind.TupleType:
      return convertTuple(ctx, node as ts.TupleTypeNode, scope);
    case ts.SyntaxKind.UnionType:
      return convertUnion(ctx, node as ts.UnionTypeNode, scope);
    case ts.SyntaxKind.TypeLiteral:
      return convertMembers(ctx, (node as ts.TypeLiteralNode).members, node, scope);
    case ts.SyntaxKind.TypeReference:
      return convertReference(ctx, node as ts.TypeReferenceNode, scope);
    case ts.SyntaxKind.FunctionType:
    case ts.SyntaxKind.ConstructorType:
      return fail(ctx, DIAGNOSTIC.functionType, node, 'a function cannot be a payload', 'payloads are data; declare a procedure for behaviour');
    case ts.SyntaxKind.IntersectionType:
      return fail(ctx, DIAGNOSTIC.unsupportedType, node, 'intersection types are not supported in payloads', 'declare one object type with all the members');
    case ts.SyntaxKind.TypeQuery:
      return fail(ctx, DIAGNOSTIC.unsupportedType, node, '`typeof` types are not supported in payloads', 'declare the type explicitly');
    default: {
      const { message, hint } = unsupportedForm(node);
      return fail(ctx, DIAGNOSTIC.unsupportedType, node, message, hint);
    }
  }
}

function fail(ctx: ParseContext, code: Parameters<typeof report>[1], node: ts.Node, message: string, hint: string): TypeModel {
  report(ctx, code, node, message, hint);
  return UNKNOWN;
}

function convertLiteral(ctx: ParseContext, node: ts.LiteralTypeNode): TypeModel {
  const lit = node.literal;
  switch (lit.kind) {
    case ts.SyntaxKind.NullKeyword: return { kind: 'null' };
    case ts.SyntaxKind.TrueKeyword: return { kind: 'literal', value: true };
    case ts.SyntaxKind.FalseKeyword: return { kind: 'literal', value: false };
    case ts.SyntaxKind.StringLiteral: return { kind: 'literal', value: (lit as ts.StringLiteral).text };
    case ts.SyntaxKind.NumericLiteral: return { kind: 'literal', value: Number((lit as ts.NumericLiteral).text) };
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const u = lit as ts.PrefixUnaryExpression;
      if (u.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(u.operand)) return { kind: 'literal', value: -Number(u.operand.text) };
      break;
    }
    default: break;
  }
  return fail(ctx, DIAGNOSTIC.unsupportedType, node, 'this literal type cannot be represented on the wire', 'use string, number or boolean literals');
}

function convertTuple(ctx: ParseContext, node: ts.TupleTypeNode, scope: TypeScope): TypeModel {
  const elements: TupleElement[] = [];
  for (const el of node.elements) {
    if (ts.isNamedTupleMember(el)) {
      if (el.dotDotDotToken) return fail(ctx, DIAGNOSTIC.unsupportedType, el, 'rest elements in tuples are not supported', 'use an array, or a fixed tuple');
      elements.push({ name: el.name.text, type: convertType(ctx, el.type, scope), optional: el.questionToken !== undefined });
    } else if (ts.isOptionalTypeNode(el)) {
      elements.push({ type: convertType(ctx, el.type, scope), optional: true });
    } else if (ts.isRestTypeNode(el)) {
      return fail(ctx, DIAGNOSTIC.unsupportedType, el, 'rest elements in tuples are not supported', 'use an array, or a fixed tuple');
    } else {
      elements.push({ type: convertType(ctx, el, scope), optional: false });
    }
  }
  return { kind: 'tuple', elements };
}

function convertUnion(ctx: ParseContext, node: ts.UnionTypeNode, scope: TypeScope): TypeModel {
  const members: TypeModel[] = [];
  for (const t of node.types) {
    const m = convertType(ctx, t, scope);
    // `true | false` reads better as boolean, and flattening keeps `A | (B | C)` one union.
    if (m.kind === 'union') members.push(...m.members);
    else members.push(m);
  }
  const trues = members.some((m) => m.kind === 'literal' && m.value === true);
  const falses = members.some((m) => m.kind === 'literal' && m.value === false);
  const merged = trues && falses
    ? [...members.filter((m) => !(m.kind === 'literal' && typeof m.value === 'boolean')), { kind: 'boolean' } as const]
    : members;
  return merged.length === 1 && merged[0] !== undefined ? merged[0] : { kind: 'union', members: merged };
}

/** Members of a type literal or an interface body. */
export function convertMembers(ctx: ParseContext, members: ts.NodeArray<ts.TypeElement>, at: ts.Node, scope: TypeScope): TypeModel {
  const props: PropModel[] = [];
  for (const member of members) {
    if (ts.isIndexSignatureDeclaration(member)) {
      const key = member.parameters[0]?.type;
      if (members.length === 1 && key !== undefined && key.kind === ts.SyntaxKind.StringKeyword) {
        return { kind: 'record', value: convertType(ctx, member.type, scope) };
      }
      report(ctx, DIAGNOSTIC.indexSignature, member, 'an index signature mixed with other members (or with a non-string key) cannot be represented', 'use a separate member of type Record<string, T>');
      continue;
    }
    if (ts.isMethodSignature(member) || ts.isCallSignatureDeclaration(member) || ts.isConstructSignatureDeclaration(member)) {
      report(ctx, DIAGNOSTIC.functionType, member, 'a method cannot be part of a payload', 'payloads are data; for an API, tag the interface with @wamp.procedures or @wamp.topics');
      continue;
    }
    if (!ts.isPropertySignature(member)) {
      report(ctx, DIAGNOSTIC.unsupportedType, member, 'this kind of member cannot be part of a payload', 'use plain `name: Type` members');
      continue;
    }
    const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) || ts.isNumericLiteral(member.name) ? member.name.text : undefined;
    if (name === undefined) {
      report(ctx, DIAGNOSTIC.unsupportedType, member.name, 'computed member names cannot be represented', 'use a plain identifier or string name');
      continue;
    }
    if (member.type === undefined) {
      report(ctx, DIAGNOSTIC.anyType, member, `member \`${name}\` has no type (it would be an implicit any)`, 'give the member a type');
      continue;
    }
    const doc = docOf(member);
    const readonly = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) === true;
    props.push({ name, type: convertType(ctx, member.type, scope), optional: member.questionToken !== undefined, ...(readonly ? { readonly } : {}), ...(doc ? { doc } : {}) });
  }
  return { kind: 'object', props };
}

function convertReference(ctx: ParseContext, node: ts.TypeReferenceNode, scope: TypeScope): TypeModel {
  const args = node.typeArguments ?? [];
  const text = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.getText();
  if (ts.isIdentifier(node.typeName) && scope.typeParams.has(text) && args.length === 0) return { kind: 'param', name: text };
  const raw = ctx.checker.getSymbolAtLocation(node.typeName);
  const symbol = resolveSymbol(ctx, raw);
  const decl = symbol?.declarations?.[0];
  if (symbol === undefined || decl === undefined) {
    const importDecl = raw?.declarations?.[0];
    if (importDecl !== undefined && (ts.isImportSpecifier(importDecl) || ts.isImportClause(importDecl) || ts.isNamespaceImport(importDecl))) {
      return fail(ctx, DIAGNOSTIC.unresolvedImport, node, `\`${text}\` comes from an import that cannot be resolved`, 'check the import path (relative imports end in .js) and that the file exists');
    }
    const hint = LIB_HINTS[text];
    if (hint !== undefined) return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${text}\` cannot be represented as a WAMP payload`, hint);
    return fail(ctx, DIAGNOSTIC.unresolvedType, node, `cannot find type \`${text}\``, 'declare it in a schema file or import it from one');
  }
  const helper = helperName(ctx, node);
  const refined = helper === undefined ? undefined : refinementOf(ctx, helper, node);
  if (refined !== undefined) return refined;
  if (helper !== undefined) {
    return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${symbol.getName()}\` is only allowed as a procedure parameter or return type`, 'see docs/schema.md, "Wire mapping"');
  }
  if (isLibDeclaration(ctx, decl)) return convertLibReference(ctx, node, symbol.getName(), scope);
  if (ts.isTypeParameterDeclaration(decl)) {
    return fail(ctx, DIAGNOSTIC.unresolvedType, node, `type parameter \`${text}\` is not in scope here`, 'only a generic declaration\'s own parameters can be used');
  }
  if (ts.isEnumMember(decl)) {
    const value = ctx.checker.getConstantValue(decl);
    if (value === undefined) return fail(ctx, DIAGNOSTIC.unsupportedType, node, 'computed enum members cannot be represented', 'give the enum member a literal value');
    return { kind: 'literal', value };
  }
  if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) {
    return fail(ctx, DIAGNOSTIC.classType, node, `class \`${text}\` cannot be a payload (its methods and prototype do not travel)`, 'declare an interface with the data members');
  }
  if (!ts.isInterfaceDeclaration(decl) && !ts.isTypeAliasDeclaration(decl) && !ts.isEnumDeclaration(decl)) {
    return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${text}\` is not a type wampgen can represent`, 'use an interface, type alias or enum declared in a schema file');
  }
  if (ts.isInterfaceDeclaration(decl) && isServiceInterface(decl)) {
    return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${text}\` is a service interface, not a payload type`, 'declare a separate data interface for the payload');
  }
  const module = ctx.moduleIdOf(decl.getSourceFile());
  if (module === undefined) {
    return fail(ctx, DIAGNOSTIC.outsideInputs, node, `\`${text}\` is declared in ${ctx.displayName(decl.getSourceFile())}, which is not a schema input`, 'add that file to the wampgen inputs, or move the type into a schema file');
  }
  return { kind: 'ref', name: symbol.getName(), module, args: args.map((a) => convertType(ctx, a, scope)) };
}

function convertLibReference(ctx: ParseContext, node: ts.TypeReferenceNode, name: string, scope: TypeScope): TypeModel {
  const args = node.typeArguments ?? [];
  if (name === 'Array' && args[0] !== undefined) return { kind: 'array', element: convertType(ctx, args[0], scope) };
  if (name === 'ReadonlyArray' && args[0] !== undefined) return { kind: 'array', element: convertType(ctx, args[0], scope), readonly: true };
  if (name === 'Uint8Array') return { kind: 'bytes' };
  if (name === 'Record' && args[0] !== undefined && args[1] !== undefined) {
    const value = convertType(ctx, args[1], scope);
    if (args[0].kind === ts.SyntaxKind.StringKeyword) return { kind: 'record', value };
    const key = convertType(ctx, args[0], scope);
    if (literalKeys(key, (ref) => enumValues(ctx, ref)) === undefined) {
      return fail(ctx, DIAGNOSTIC.indexSignature, args[0], `Record keys of type \`${args[0].getText()}\` cannot be represented`, 'use string keys (Record<string, T>) or a union of string literals (Record<\'EUR\' | \'USD\', T>)');
    }
    return { kind: 'record', value, key };
  }
  const hint = LIB_HINTS[name] ?? 'use plain data types: primitives, literals, arrays, tuples, objects, unions, Record<string, T>';
  return fail(ctx, DIAGNOSTIC.unsupportedType, node, `\`${name}\` cannot be represented as a WAMP payload`, hint);
}

/** Tags that describe wire behaviour and are re-generated (or consumed), not copied. */
const CONSUMED_TAGS = new Set(['wamp', 'throws']);

/**
 * A node's JSDoc for the generated code: the description plus tags such as @param, @returns,
 * @deprecated or @example (wampgen's own tags are consumed instead); undefined when empty.
 */
export function docOf(node: ts.Node): string | undefined {
  return docText(ownJsDoc(node));
}

/** The text of JSDoc blocks for the generated code (see docOf). */
export function docText(docs: readonly ts.JSDoc[]): string | undefined {
  if (docs.length === 0) return undefined;
  const parts: string[] = [];
  for (const d of docs) {
    const description = (ts.getTextOfJSDocComment(d.comment) ?? '').trim();
    if (description !== '') parts.push(description);
    for (const tag of d.tags ?? []) {
      const name = tag.tagName.text;
      if (CONSUMED_TAGS.has(name)) continue;
      const text = (ts.getTextOfJSDocComment(tag.comment) ?? '').trim();
      const subject = ts.isJSDocParameterTag(tag) ? ` ${tag.name.getText()}` : '';
      parts.push(`@${name}${subject}${text === '' ? '' : ` ${text}`}`);
    }
  }
  const text = parts.join('\n').trim();
  return text === '' ? undefined : text;
}

/** The values of a string or numeric enum a reference names (for Record keys). */
function enumValues(ctx: ParseContext, ref: Extract<TypeModel, { kind: 'ref' }>): (string | number)[] | undefined {
  const file = ctx.program.getSourceFiles().find((f) => ctx.moduleIdOf(f) === ref.module);
  const decl = file?.statements.find((s): s is ts.EnumDeclaration => ts.isEnumDeclaration(s) && s.name.text === ref.name);
  if (decl === undefined) return undefined;
  const values = decl.members.map((m) => ctx.checker.getConstantValue(m));
  return values.every((v) => v !== undefined) ? values : undefined;
}
