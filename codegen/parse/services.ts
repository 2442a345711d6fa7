/**
 * Service interfaces (`@wamp.procedures` / `@wamp.topics`) -> ServiceModel: members become
 * procedures or topics, parameters become positional arguments (a trailing `Kwargs<T>` becomes
 * keyword arguments) and return types become results (docs/schema.md, "Wire mapping").
 */
import { ts } from 'ts-morph';
import { DIAGNOSTIC } from '../diagnostics.js';
import {
  INVOKE_POLICIES, MATCH_POLICIES, SERIALIZERS,
  type ParamModel, type ProcedureModel, type ResultModel, type Serializer, type ServiceModel, type TopicModel, type TypeModel,
} from '../model.js';
import { uriProblem } from '../uri.js';
import { helperName, ownJsDoc, posOf, report, resolveSymbol, type ParseContext } from './context.js';
import { boolTag, choiceTag, readTags, readThrows, TAGS, type Tag } from './tags.js';
import { convertType, docOf, type TypeScope } from './types.js';

const NO_PARAMS: TypeScope = { typeParams: new Set() };

function checkUri(ctx: ParseContext, tag: Tag, match: 'exact' | 'prefix' | 'wildcard'): void {
  const problem = uriProblem(tag.value, match);
  if (problem !== undefined) {
    ctx.diagnostics.push({ code: DIAGNOSTIC.badUri, severity: 'error', ...tag.pos, message: problem, hint: 'URIs are dot-separated components like com.example.calc.add2' });
  }
}

/** Whether an interface is a service (has `@wamp.procedures` or `@wamp.topics`). */
export function isServiceInterface(decl: ts.Node): boolean {
  const docs = ownJsDoc(decl);
  const text = decl.getSourceFile().text;
  return docs.some((d) => /@wamp\.(procedures|topics)\b/.test(text.slice(d.pos, d.end)));
}

export function convertService(ctx: ParseContext, decl: ts.InterfaceDeclaration, defaultSerializers: readonly Serializer[]): ServiceModel | undefined {
  if (!isServiceInterface(decl)) return undefined;
  const tags = readTags(ctx, decl, TAGS.service);
  const head = tags.get('procedures') ?? tags.get('topics');
  if (head === undefined) return undefined;
  const kind = head.name === 'procedures' ? 'procedures' : 'topics';
  if (tags.has('procedures') && tags.has('topics')) {
    report(ctx, DIAGNOSTIC.badTag, decl.name, 'an interface cannot be both @wamp.procedures and @wamp.topics', 'split it into two interfaces');
  }
  checkUri(ctx, head, 'exact');
  if (decl.typeParameters !== undefined) {
    report(ctx, DIAGNOSTIC.genericMember, decl.name, 'a service interface cannot be generic', 'instantiate generic payload types in the members instead');
  }
  if (decl.heritageClauses !== undefined) {
    report(ctx, DIAGNOSTIC.badMember, decl.heritageClauses[0] ?? decl, 'a service interface cannot extend another interface', 'declare the members directly');
  }
  const serializers = readSerializers(ctx, tags.get('serializers')) ?? defaultSerializers;
  const defaults = {
    invoke: choiceTag(ctx, tags.get('invoke'), INVOKE_POLICIES),
    discloseCaller: boolTag(ctx, tags.get('discloseCaller')),
    acknowledge: boolTag(ctx, tags.get('acknowledge')),
    excludeMe: boolTag(ctx, tags.get('excludeMe')),
  };
  const procedures: ProcedureModel[] = [];
  const topics: TopicModel[] = [];
  for (const member of decl.members) {
    if (!ts.isMethodSignature(member) || !ts.isIdentifier(member.name)) {
      report(ctx, DIAGNOSTIC.badMember, member, 'service members must be methods with plain names', 'write `name(arg: T): R;`');
      continue;
    }
    if (member.typeParameters !== undefined) {
      report(ctx, DIAGNOSTIC.genericMember, member.name, 'a procedure or topic cannot be generic', 'use concrete types, e.g. Page<ChatMessage>');
      continue;
    }
    const memberTags = readTags(ctx, member, kind === 'procedures' ? TAGS.procedure : TAGS.topic);
    const match = choiceTag(ctx, memberTags.get('match'), MATCH_POLICIES) ?? 'exact';
    const uriTag = memberTags.get('uri');
    const uri = uriTag?.value ?? `${head.value}.${member.name.text}`;
    if (uriTag !== undefined) checkUri(ctx, uriTag, match);
    else if (match === 'wildcard') report(ctx, DIAGNOSTIC.badUri, member.name, 'a wildcard member needs its pattern', 'add @wamp.uri com.example..status (empty components match anything)');
    const { args, kwargs } = convertParams(ctx, member);
    const doc = docOf(member);
    const common = { name: member.name.text, uri, match, args, ...(kwargs ? { kwargs } : {}), ...(doc ? { doc } : {}), pos: posOf(ctx, member.name) };
    if (kind === 'procedures') {
      const invoke = choiceTag(ctx, memberTags.get('invoke'), INVOKE_POLICIES) ?? defaults.invoke;
      const discloseCaller = boolTag(ctx, memberTags.get('discloseCaller')) ?? defaults.discloseCaller;
      const returned = convertReturn(ctx, member, memberTags.has('progressive'));
      procedures.push({
        ...common, ...returned,
        errors: convertThrows(ctx, member),
        ...(invoke !== undefined ? { invoke } : {}),
        ...(discloseCaller !== undefined ? { discloseCaller } : {}),
      });
    } else {
      if (member.type !== undefined && member.type.kind !== ts.SyntaxKind.VoidKeyword) {
        report(ctx, DIAGNOSTIC.badMember, member.type, 'a topic member must return void (events have no answer)', 'declare it as `name(payload: T): void;`, or move it to a @wamp.procedures interface');
      }
      const acknowledge = boolTag(ctx, memberTags.get('acknowledge')) ?? defaults.acknowledge;
      const excludeMe = boolTag(ctx, memberTags.get('excludeMe')) ?? defaults.excludeMe;
      topics.push({ ...common, ...(acknowledge !== undefined ? { acknowledge } : {}), ...(excludeMe !== undefined ? { excludeMe } : {}) });
    }
  }
  const doc = docOf(decl);
  return { kind, name: decl.name.text, prefix: head.value, serializers, procedures, topics, ...(doc ? { doc } : {}), pos: posOf(ctx, decl.name) };
}

function readSerializers(ctx: ParseContext, tag: Tag | undefined): Serializer[] | undefined {
  if (tag === undefined) return undefined;
  const names = tag.value.split(/[\s,]+/).filter((s) => s !== '');
  const out: Serializer[] = [];
  for (const name of names) {
    const found = SERIALIZERS.find((s) => s === name);
    if (found === undefined) {
      ctx.diagnostics.push({ code: DIAGNOSTIC.badTag, severity: 'error', ...tag.pos, message: `unknown serializer "${name}"`, hint: `use some of: ${SERIALIZERS.join(' ')}` });
    } else if (!out.includes(found)) out.push(found);
  }
  if (out.length === 0 && names.length === 0) {
    ctx.diagnostics.push({ code: DIAGNOSTIC.badTag, severity: 'error', ...tag.pos, message: '@wamp.serializers lists no serializer', hint: `e.g. @wamp.serializers msgpack cbor` });
  }
  return out.sort();
}

function convertParams(ctx: ParseContext, member: ts.MethodSignature): { args: ParamModel[]; kwargs?: ParamModel } {
  const args: ParamModel[] = [];
  let kwargs: ParamModel | undefined;
  member.parameters.forEach((p, i) => {
    if (!ts.isIdentifier(p.name) || p.dotDotDotToken !== undefined) {
      report(ctx, DIAGNOSTIC.badMember, p, 'parameters must be plain named parameters', 'write `name: Type` (no destructuring or rest parameters)');
      return;
    }
    if (p.type === undefined) {
      report(ctx, DIAGNOSTIC.anyType, p, `parameter \`${p.name.text}\` has no type (it would be an implicit any)`, 'give the parameter a type');
      return;
    }
    const optional = p.questionToken !== undefined || p.initializer !== undefined;
    if (ts.isTypeReferenceNode(p.type) && helperName(ctx, p.type) === 'Kwargs') {
      if (i !== member.parameters.length - 1) {
        report(ctx, DIAGNOSTIC.badKwargs, p, 'Kwargs<T> must be the last parameter', 'move the keyword arguments parameter to the end');
        return;
      }
      const inner = p.type.typeArguments?.[0];
      if (inner !== undefined && checkKwargsObject(ctx, inner)) kwargs = { name: p.name.text, type: convertType(ctx, inner, NO_PARAMS), optional };
      return;
    }
    if (args.some((a) => a.optional) && !optional) {
      report(ctx, DIAGNOSTIC.badMember, p, 'a required parameter cannot follow an optional one', 'reorder the parameters');
    }
    args.push({ name: p.name.text, type: convertType(ctx, p.type, NO_PARAMS), optional });
  });
  return kwargs === undefined ? { args } : { args, kwargs };
}

/**
 * Keyword arguments are a WAMP dictionary: `Kwargs<T>` needs an object type (not a primitive,
 * an array or a tuple, which could never validate as kwargs).
 */
function checkKwargsObject(ctx: ParseContext, inner: ts.TypeNode): boolean {
  const type = ctx.checker.getTypeFromTypeNode(inner);
  const isObject = (t: ts.Type): boolean => (t.isUnion() ? t.types.every(isObject) : (t.flags & ts.TypeFlags.Object) !== 0 && !ctx.checker.isArrayType(t) && !ctx.checker.isTupleType(t));
  if (isObject(type)) return true;
  report(ctx, DIAGNOSTIC.badKwargs, inner, `Kwargs<${inner.getText()}> is not an object type, so it can never be valid keyword arguments`, `for one value use a positional parameter (\`name: ${inner.getText()}\`), or name it: Kwargs<{ name: ${inner.getText()} }>`);
  return false;
}

function convertReturn(ctx: ParseContext, member: ts.MethodSignature, progressiveTag: boolean): { result: ResultModel; progress?: TypeModel } {
  let type = member.type;
  if (type === undefined) {
    report(ctx, DIAGNOSTIC.anyType, member.name, 'the procedure has no return type (it would be an implicit any)', 'declare the result type, or void');
    return { result: { kind: 'void' } };
  }
  // `Promise<T>` reads naturally in an interface; on the wire it is just T.
  if (ts.isTypeReferenceNode(type) && type.typeArguments?.length === 1 && ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise') {
    type = type.typeArguments[0] ?? type;
  }
  if (ts.isTypeReferenceNode(type) && helperName(ctx, type) === 'Progress') {
    const [p, r] = type.typeArguments ?? [];
    const progress = p === undefined ? { kind: 'unknown' as const } : convertType(ctx, p, NO_PARAMS);
    return { result: r === undefined ? { kind: 'void' } : convertResult(ctx, r), progress };
  }
  if (progressiveTag) {
    report(ctx, DIAGNOSTIC.badTag, member.name, '@wamp.progressive needs a Progress<P, R> return type', 'declare the return type as Progress<ProgressType, FinalType>');
  }
  return { result: convertResult(ctx, type) };
}

function convertResult(ctx: ParseContext, type: ts.TypeNode): ResultModel {
  if (type.kind === ts.SyntaxKind.VoidKeyword) return { kind: 'void' };
  if (ts.isTypeReferenceNode(type)) {
    const helper = helperName(ctx, type);
    const inner = type.typeArguments?.[0];
    if (helper === 'Results' && inner !== undefined) {
      const tuple = convertType(ctx, inner, NO_PARAMS);
      if (tuple.kind === 'tuple') return { kind: 'multi', elements: tuple.elements };
      report(ctx, DIAGNOSTIC.badMember, inner, 'Results<T> takes a tuple type', 'write Results<[A, B]>');
      return { kind: 'void' };
    }
    if (helper === 'Kwargs' && inner !== undefined) return checkKwargsObject(ctx, inner) ? { kind: 'kwargs', type: convertType(ctx, inner, NO_PARAMS) } : { kind: 'void' };
  }
  return { kind: 'single', type: convertType(ctx, type, NO_PARAMS) };
}

function convertThrows(ctx: ParseContext, member: ts.MethodSignature): ProcedureModel['errors'] {
  const out: { name: string; module: string; uri: string; doc?: string }[] = [];
  for (const { name, text, pos } of readThrows(ctx, member)) {
    const symbol = resolveSymbol(ctx, ctx.checker.resolveName(name, member, ts.SymbolFlags.Type | ts.SymbolFlags.Alias, false));
    const decl = symbol?.declarations?.[0];
    const module = decl === undefined ? undefined : ctx.moduleIdOf(decl.getSourceFile());
    const uri = decl === undefined ? undefined : errorUriOf(decl);
    if (decl === undefined || module === undefined || uri === undefined || !(ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl))) {
      ctx.diagnostics.push({
        code: DIAGNOSTIC.badError, severity: 'error', ...pos,
        message: decl === undefined ? `@throws names \`${name}\`, which cannot be found` : `@throws names \`${name}\`, which is not a declared application error`,
        hint: 'declare `/** @wamp.error com.example.some_error */ export interface Name { … }` in a schema file and import it',
      });
      continue;
    }
    if (!out.some((e) => e.uri === uri)) out.push({ name: symbol?.getName() ?? name, module, uri, ...(text !== '' ? { doc: text } : {}) });
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/** The URI of an `@wamp.error` tag on a declaration, read without reporting (the decl pass reports). */
export function errorUriOf(decl: ts.Node): string | undefined {
  const docs = ownJsDoc(decl);
  const file = decl.getSourceFile();
  for (const doc of docs) {
    const m = /@wamp\.error[ \t]+([^\s*]+)/.exec(file.text.slice(doc.pos, doc.end));
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}
