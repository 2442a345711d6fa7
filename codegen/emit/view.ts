/**
 * Model -> template data. Everything the templates print is decided here, as strings and flags,
 * so the templates stay declarative and the emit stage stays pure.
 */
import { posix } from 'node:path';
import { flattenProps, type DeclModel, type ModuleModel, type ParamModel, type ProcedureModel, type ResultModel, type ServiceModel, type TopicModel, type TypeModel } from '../model.js';
import type { DeclGraph } from './graph.js';
import { orderDecls } from './graph.js';
import { declKey, LOCAL_SCHEMAS, jsdoc, literal, quote, tsObjectBody, tsType, zodObject, zodType, type RenderScope } from './render.js';

export interface EmitSettings {
  /** Module specifier generated code imports the wampkit runtime from. */
  readonly runtimeImport: string;
  /** Module specifier generated code imports zod from. */
  readonly zodImport: string;
}

/**
 * The wampkit/stubs API the templates are written against; every generated module stamps it
 * (`requireStubsApi(n)`), and the runtime refuses an API it does not serve. Raise it together
 * with runtime/stubs/version.ts when generated code needs something older runtimes lack.
 */
export const STUBS_API = 1;

/** Relative import specifier from one generated module to another (both module ids). */
export function importPath(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to);
  return `${rel.startsWith('.') ? rel : `./${rel}`}.js`;
}

class Imports {
  readonly modules = new Map<string, Map<string, boolean>>();
  readonly support = new Set<string>();
  readonly locals = new Set<keyof typeof LOCAL_SCHEMAS>();
  need(module: string, name: string, typeOnly: boolean): void {
    let names = this.modules.get(module);
    if (names === undefined) this.modules.set(module, (names = new Map()));
    names.set(name, (names.get(name) ?? true) && typeOnly);
  }
}

function scopeFor(module: string, graph: DeclGraph, imports: Imports): RenderScope {
  return {
    module,
    lazy: graph.cyclic,
    decl: (m, n) => graph.decls.get(declKey(m, n))?.decl,
    need: (m, n, typeOnly) => imports.need(m, n, typeOnly),
    support: (n) => imports.support.add(n),
    local: (n) => imports.locals.add(n),
  };
}

function declView(module: string, decl: DeclModel, scope: RenderScope, graph: DeclGraph) {
  const doc = jsdoc(decl.doc);
  if (decl.kind === 'enum') {
    const members = decl.members.map((m) => `${jsdoc(m.doc, '  ')}  ${/^[A-Za-z_$][\w$]*$/.test(m.name) ? m.name : quote(m.name)} = ${literal(m.value)},\n`).join('');
    return { name: decl.name, doc, tsDecl: `export enum ${decl.name} {\n${members}}`, zod: `z.enum(${decl.name})`, generic: false, cyclic: false, typeParams: '', schemaParams: '', error: undefined };
  }
  const typeParams = decl.typeParams.length > 0 ? `<${decl.typeParams.join(', ')}>` : '';
  let tsDecl: string;
  if (decl.kind === 'interface' && decl.type.kind === 'object') {
    const bases = decl.extends === undefined ? '' : ` extends ${decl.extends.map((b) => tsType(b, scope)).join(', ')}`;
    tsDecl = `export interface ${decl.name}${typeParams}${bases} {\n${tsObjectBody(decl.type, scope, '  ')}}`;
  } else if (decl.type.kind === 'object' && decl.type.props.length > 0) {
    tsDecl = `export type ${decl.name}${typeParams} = {\n${tsObjectBody(decl.type, scope, '  ')}};`;
  } else if (decl.type.kind === 'union' && decl.type.members.length > 2) {
    tsDecl = `export type ${decl.name}${typeParams} =\n${decl.type.members.map((m) => `  | ${tsType(m, scope)}`).join('\n')};`;
  } else {
    tsDecl = `export type ${decl.name}${typeParams} = ${tsType(decl.type, scope)};`;
  }
  const indent = decl.typeParams.length > 0 ? '  ' : '';
  // zod has no inheritance to mirror `extends`: the schema lists inherited members itself.
  const body = decl.extends === undefined || decl.type.kind !== 'object'
    ? decl.type
    : { kind: 'object' as const, props: flattenProps(decl, (r) => graph.decls.get(declKey(r.module, r.name))?.decl) };
  const zod = body.kind === 'object' ? objectLines(body, scope, indent) : unionLines(body, scope, indent);
  const error = decl.errorUri === undefined ? undefined : { className: `${decl.name}Error`, uri: quote(decl.errorUri) };
  return {
    name: decl.name, doc, tsDecl, zod, error,
    generic: decl.typeParams.length > 0,
    cyclic: graph.cyclic.has(declKey(module, decl.name)),
    typeParams,
    schemaParams: decl.typeParams.map((p) => `${p}: z.ZodType<${p}, unknown>`).join(', '),
  };
}

/** Objects go one member per line once they stop fitting on one. */
function objectLines(type: Extract<TypeModel, { kind: 'object' }>, scope: RenderScope, indent: string): string {
  const flat = zodObject(type, scope);
  return flat.length + indent.length <= 90 ? flat : zodObject(type, scope, true, indent);
}

/** Long unions of inline objects read better one member per line. */
function unionLines(type: TypeModel, scope: RenderScope, indent: string): string {
  const text = zodType(type, scope);
  if (text.length <= 100) return text;
  return text.replace(/\[z\.object\(/, `[\n${indent}  z.object(`).replace(/\}\), z\.object\(/g, `}),\n${indent}  z.object(`).replace(/\}\)\]\)$/, `}),\n${indent}])`);
}

/**
 * True when every member of an object type (through references and `extends`) is optional, so
 * a keyword-arguments parameter of that type can be left out.
 */
function allOptional(t: TypeModel, graph: DeclGraph, depth = 0): boolean {
  if (depth > 16) return false;
  if (t.kind === 'record') return true;
  if (t.kind === 'object') return t.props.every((p) => p.optional);
  if (t.kind !== 'ref') return false;
  const decl = graph.decls.get(declKey(t.module, t.name))?.decl;
  if (decl === undefined || decl.kind === 'enum') return false;
  if (decl.type.kind !== 'object') return decl.typeParams.length === 0 && allOptional(decl.type, graph, depth + 1);
  return flattenProps(decl, (r) => graph.decls.get(declKey(r.module, r.name))?.decl).every((p) => p.optional);
}

/** Callee-side signatures keep a parameter after the optional ones, so optional becomes `| undefined`. */
const paramsText = (params: readonly ParamModel[], scope: RenderScope, trailing = false): string =>
  params.map((p) => (p.optional && trailing ? `${p.name}: ${tsType(p.type, scope)} | undefined, ` : `${p.name}${p.optional ? '?' : ''}: ${tsType(p.type, scope)}, `)).join('');

const kwParamText = (p: ParamModel | undefined, scope: RenderScope, trailing: boolean): string =>
  p === undefined ? '' : paramsText([p], scope, trailing);

const argsTuple = (params: readonly ParamModel[], scope: RenderScope): string =>
  `z.tuple([${params.map((p) => zodType(p.type, scope) + (p.optional ? '.optional()' : '')).join(', ')}])`;

function resultTs(result: ResultModel, scope: RenderScope): string {
  switch (result.kind) {
    case 'void': return 'void';
    case 'single': case 'kwargs': return tsType(result.type, scope);
    case 'multi': return tsType({ kind: 'tuple', elements: result.elements }, scope);
  }
}

function resultZod(result: ResultModel, scope: RenderScope): string | undefined {
  switch (result.kind) {
    case 'void': return undefined;
    case 'single': case 'kwargs': return zodType(result.type, scope);
    case 'multi': return zodType({ kind: 'tuple', elements: result.elements }, scope);
  }
}

/** The args array a caller or publisher sends; trailing optionals that were left out are dropped. */
function argListOf(params: readonly ParamModel[], imports: Imports): string {
  const list = `[${params.map((a) => a.name).join(', ')}]`;
  if (!params.some((a) => a.optional)) return list;
  imports.support.add('positional');
  return `positional(${list})`;
}

/** The validated-args parameter of a generated endpoint; unused (so underscored) when there are none. */
const argsParam = (params: readonly ParamModel[]): string => (params.length === 0 ? '_args' : 'args');

const DECODERS = { void: 'none', single: 'single', multi: 'multiple', kwargs: 'keywords' } as const;

function optionsText(entries: readonly [string, string | boolean | undefined][]): string {
  const set = entries.filter((e): e is [string, string | boolean] => e[1] !== undefined);
  return set.length === 0 ? '{}' : `{ ${set.map(([k, v]) => `${k}: ${typeof v === 'string' ? quote(v) : String(v)}`).join(', ')} }`;
}

function procedureView(service: ServiceModel, p: ProcedureModel, scope: RenderScope, imports: Imports, graph: DeclGraph) {
  const pattern = p.match !== 'exact';
  const uriRef = `${service.name}Uris.${p.name}`;
  const argList = argListOf(p.args, imports);
  const implArgs = [...p.args.map((_, i) => `args[${i}]`), ...(p.kwargs ? ['kwargs'] : []), 'details'].join(', ');
  const result = resultTs(p.result, scope);
  const errors = p.errors.map((e) => {
    if (e.module !== scope.module) imports.need(e.module, `${e.name}Error`, false);
    return `${e.name}Error`;
  });
  const decoder = DECODERS[p.result.kind];
  const schemaRef = `${service.name}Schemas.${p.name}`;
  imports.support.add(decoder);
  const wrap = p.result.kind === 'multi' ? 'resultOf' : p.result.kind === 'kwargs' ? 'kwResultOf' : undefined;
  if (wrap !== undefined) imports.support.add(wrap);
  const implCall = `impl.${p.name}(${implArgs})`;
  let run: string;
  if (p.progress !== undefined) {
    imports.support.add('streamProgress');
    if (p.result.kind === 'void') imports.support.add('noResult');
    const final = p.result.kind === 'void' ? 'noResult' : wrap !== undefined ? wrap : '(final) => final';
    run = `streamProgress(${implCall}, details, ${final})`;
  } else if (p.result.kind === 'void') {
    imports.support.add('noResult');
    run = `Promise.resolve(${implCall}).then(noResult)`;
  } else if (wrap !== undefined) {
    run = `Promise.resolve(${implCall}).then(${wrap})`;
  } else {
    run = implCall;
  }
  imports.support.add(p.kwargs ? 'endpointWithKwargs' : 'endpoint');
  imports.support.add(p.progress ? 'callProgressive' : 'call');
  const decode = p.result.kind === 'void' ? 'none' : `${decoder}(${schemaRef}.result)`;
  const kwargsArg = p.kwargs ? `{ ...${p.kwargs.name} }` : 'undefined';
  const uriArg = pattern ? `{ uri: procedure, pattern: ${uriRef}, match: ${quote(p.match)} }` : uriRef;
  const errorList = `[${errors.map((e) => `${e}.from`).join(', ')}]`;
  const callExpr = p.progress !== undefined
    ? `callProgressive(this, ${uriArg}, ${schemaRef}, ${argList}, ${kwargsArg}, callOptions, ${schemaRef}.progress, ${decode}, ${errorList})`
    : `call(this, ${uriArg}, ${schemaRef}, ${argList}, ${kwargsArg}, callOptions, ${decode}, ${errorList})`;
  const throwsDoc = p.errors.map((e) => `@throws {${e.name}Error} ${e.doc === undefined ? e.uri : `${e.doc} (${e.uri})`}`).join('\n');
  const kwParam = kwParamText(callerKwargs(p.kwargs, graph), scope, false);
  return {
    name: p.name,
    uri: quote(p.uri),
    doc: jsdoc([p.doc, throwsDoc].filter((s) => s !== undefined && s !== '').join('\n\n') || undefined, '  '),
    implReturn: p.progress !== undefined
      ? `AsyncGenerator<${tsType(p.progress, scope)}, ${result}, undefined>`
      : `${result} | Promise<${result}>`,
    callerReturn: p.progress !== undefined ? `ProgressiveCall<${tsType(p.progress, scope)}, ${result}>` : `Promise<${result}>`,
    implParams: `${paramsText(p.args, scope, true)}${kwParamText(p.kwargs, scope, true)}details: InvocationDetails`,
    callerParams: `${pattern ? 'procedure: string, ' : ''}${paramsText(p.args, scope)}${kwParam}callOptions?: CallerOptions`,
    callExpr,
    argsSchema: argsTuple(p.args, scope),
    kwargsSchema: p.kwargs ? zodType(p.kwargs.type, scope) : undefined,
    resultSchema: resultZod(p.result, scope),
    progressSchema: p.progress ? zodType(p.progress, scope) : undefined,
    endpoint: p.kwargs
      ? `endpointWithKwargs(${schemaRef}.args, ${schemaRef}.kwargs, (${argsParam(p.args)}, kwargs, details) => ${run})`
      : `endpoint(${schemaRef}.args, (${argsParam(p.args)}, details) => ${run})`,
    registerOptions: optionsText([['match', p.match === 'exact' ? undefined : p.match], ['invoke', p.invoke], ['discloseCaller', p.discloseCaller]]),
  };
}

/** The caller's keyword-arguments parameter: optional when the schema lets every member out. */
function callerKwargs(p: ParamModel | undefined, graph: DeclGraph): ParamModel | undefined {
  return p === undefined || p.optional || !allOptional(p.type, graph) ? p : { ...p, optional: true };
}

function topicView(service: ServiceModel, t: TopicModel, scope: RenderScope, imports: Imports, graph: DeclGraph) {
  const pattern = t.match !== 'exact';
  const uriRef = `${service.name}Uris.${t.name}`;
  const schemaRef = `${service.name}Schemas.${t.name}`;
  imports.support.add('publish');
  imports.support.add(t.kwargs ? 'eventHandlerWithKwargs' : 'eventHandler');
  const handlerArgs = [...t.args.map((_, i) => `args[${i}]`), ...(t.kwargs ? ['kwargs'] : []), 'details'].join(', ');
  const kwParam = kwParamText(callerKwargs(t.kwargs, graph), scope, false);
  const run = `handlers.${t.name}?.(${handlerArgs})`;
  return {
    name: t.name,
    uri: quote(t.uri),
    doc: jsdoc(t.doc, '  '),
    handlerParams: `${paramsText(t.args, scope, true)}${kwParamText(t.kwargs, scope, true)}details: EventDetails`,
    publisherParams: `${pattern ? 'topic: string, ' : ''}${paramsText(t.args, scope)}${kwParam}publishOptions?: PublishOptions`,
    publishExpr: `publish(this, ${pattern ? `{ uri: topic, pattern: ${uriRef}, match: ${quote(t.match)} }` : uriRef}, ${schemaRef}, ${argListOf(t.args, imports)}, ${t.kwargs ? `{ ...${t.kwargs.name} }` : '{}'}, publishOptions${fixedPublish(t)})`,
    argsSchema: argsTuple(t.args, scope),
    kwargsSchema: t.kwargs ? zodType(t.kwargs.type, scope) : undefined,
    handler: t.kwargs
      ? `eventHandlerWithKwargs(${quote(t.name)}, ${schemaRef}.args, ${schemaRef}.kwargs, options, (${argsParam(t.args)}, kwargs, details) => ${run})`
      : `eventHandler(${quote(t.name)}, ${schemaRef}.args, options, (${argsParam(t.args)}, details) => ${run})`,
    subscribeOptions: optionsText([['match', t.match === 'exact' ? undefined : t.match]]),
  };
}

/** Options the schema fixes: publish() applies them last, so they win over the caller's. */
function fixedPublish(t: TopicModel): string {
  const fixed = optionsText([['acknowledge', t.acknowledge], ['excludeMe', t.excludeMe]]);
  return fixed === '{}' ? '' : `, ${fixed}`;
}

const joinDoc = (doc: string | undefined, line: string): string => (doc === undefined ? line : `${doc}\n\n${line}`);

export function moduleView(module: ModuleModel, graph: DeclGraph, settings: EmitSettings, header: string) {
  const imports = new Imports();
  const scope = scopeFor(module.id, graph, imports);
  const decls = orderDecls(module.id, module.decls, graph).map((d) => declView(module.id, d, scope, graph));
  const services = module.services.map((s) => ({
    name: s.name,
    isProcedures: s.kind === 'procedures',
    implDoc: jsdoc(joinDoc(s.doc, `What a callee implements to serve ${s.name}. \`details\` carries the called URI, the caller and an AbortSignal.`)),
    callerDoc: jsdoc(joinDoc(s.doc, `Calls ${s.name}'s procedures; results are validated, declared errors arrive as their typed classes.`)),
    handlersDoc: jsdoc(joinDoc(s.doc, `Event handlers for ${s.name}: subscribe to the members you implement.`)),
    publisherDoc: jsdoc(joinDoc(s.doc, `Publishes ${s.name}'s events.`)),
    prefix: s.prefix,
    procedures: s.procedures.map((p) => procedureView(s, p, scope, imports, graph)),
    topics: s.topics.map((t) => topicView(s, t, scope, imports, graph)),
  }));
  const types = new Set<string>();
  imports.support.add('requireStubsApi');
  if (decls.some((d) => d.error !== undefined)) imports.support.add('ApplicationError');
  for (const s of services) {
    if (s.isProcedures) {
      ['WampSession', 'InvocationDetails', 'CallerOptions', 'Registrations'].forEach((n) => types.add(n));
      imports.support.add('CallerStub').add('registerAll');
      if (s.procedures.some((p) => p.callerReturn.startsWith('ProgressiveCall'))) types.add('ProgressiveCall');
    } else {
      ['WampSession', 'EventDetails', 'PublishOptions', 'Publication', 'SubscribeAllOptions', 'Subscriptions'].forEach((n) => types.add(n));
      imports.support.add('PublisherStub').add('subscribeAll');
    }
  }
  const byName = (a: string, b: string): number => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
  const runtimeNames = [...[...imports.support].sort(byName), ...[...types].filter((n) => !imports.support.has(n)).sort(byName).map((n) => `type ${n}`)];
  const moduleImports = [...imports.modules.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([m, names]) => ({
      path: importPath(module.id, m),
      names: [...names.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, typeOnly]) => (typeOnly ? `type ${n}` : n)).join(', '),
    }));
  return {
    header,
    // The file's comment, then a blank line before the imports.
    fileDoc: module.doc === undefined ? '' : `${jsdoc(module.doc)}\n`,
    runtimeImport: settings.runtimeImport,
    zodImport: settings.zodImport,
    runtimeNames: runtimeNames.join(', '),
    stubsApi: STUBS_API,
    locals: [...imports.locals].sort().map((name) => ({ name, schema: LOCAL_SCHEMAS[name] })),
    usesZod: decls.length > 0 || services.length > 0,
    moduleImports,
    decls,
    services,
  };
}
