/**
 * catalog.json: every procedure and topic with its URI, options and the JSON Schema (draft
 * 2020-12) of its arguments, results and events. Named payload types go to `$defs`; generic
 * ones are instantiated per use, since JSON Schema has no type parameters.
 */
import { flattenProps, substituteType, type DeclModel, type ModuleModel, type ProcedureModel, type ResultModel, type SchemaModel, type TopicModel, type TypeModel } from '../model.js';
import type { DeclGraph } from './graph.js';
import { declKey } from './render.js';

type JsonSchema = { readonly [key: string]: unknown };

class CatalogBuilder {
  readonly defs = new Map<string, JsonSchema>();
  readonly #graph: DeclGraph;
  constructor(graph: DeclGraph) { this.#graph = graph; }

  schema(t: TypeModel, bindings: ReadonlyMap<string, TypeModel> = new Map(), depth = 0): JsonSchema {
    switch (t.kind) {
      case 'string': return t.format === undefined ? { type: 'string' } : { type: 'string', format: t.format };
      case 'number': return { type: t.integer === true ? 'integer' : 'number' };
      case 'template': return { type: 'string', pattern: this.templatePattern(t.parts) };
      case 'boolean': return { type: 'boolean' };
      case 'null': return { type: 'null' };
      case 'unknown': return {};
      case 'bigint': return t.int64 === true ? { type: 'integer', format: 'int64' } : { type: 'integer' };
      case 'bytes': return { type: 'string', contentEncoding: 'base64', description: 'binary (Uint8Array)' };
      case 'literal': return { const: t.value };
      case 'array': return { type: 'array', items: this.schema(t.element, bindings, depth) };
      case 'record': {
        const value = this.schema(t.value, bindings, depth);
        if (t.key === undefined) return { type: 'object', additionalProperties: value };
        return { type: 'object', propertyNames: this.schema(t.key, bindings, depth), additionalProperties: value, minProperties: this.keyCount(t.key) };
      }
      case 'tuple': return this.tuple(t.elements, bindings, depth);
      case 'object': {
        const properties: Record<string, JsonSchema> = {};
        for (const p of t.props) properties[p.name] = { ...this.schema(p.type, bindings, depth), ...(p.doc ? { description: p.doc } : {}) };
        return { type: 'object', properties, required: t.props.filter((p) => !p.optional).map((p) => p.name) };
      }
      case 'union': return { anyOf: t.members.map((m) => this.schema(m, bindings, depth)) };
      case 'param': {
        const bound = bindings.get(t.name);
        return bound === undefined ? {} : this.schema(bound, new Map(), depth);
      }
      case 'ref': return this.ref(t, bindings, depth);
    }
  }

  /** The regular expression a template literal type's strings match. */
  templatePattern(parts: readonly (string | TypeModel)[]): string {
    const span = (t: TypeModel): string => {
      switch (t.kind) {
        case 'number': return '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
        case 'bigint': return '-?\\d+';
        case 'boolean': return '(?:true|false)';
        case 'null': return 'null';
        case 'literal': return String(t.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        case 'union': return `(?:${t.members.map(span).join('|')})`;
        default: return '.*';
      }
    };
    return `^${parts.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : span(p))).join('')}$`;
  }

  /** How many keys a literal-key record must have (all of them). */
  keyCount(key: TypeModel): number {
    if (key.kind === 'union') return key.members.length;
    if (key.kind === 'ref') {
      const d = this.#graph.decls.get(declKey(key.module, key.name))?.decl;
      return d?.kind === 'enum' ? d.members.length : 1;
    }
    return 1;
  }

  /** A declaration's type with inherited members folded in. */
  bodyOf(decl: DeclModel): TypeModel {
    if (decl.kind === 'enum') return { kind: 'unknown' };
    if (decl.extends === undefined) return decl.type;
    return { kind: 'object', props: flattenProps(decl, (r) => this.#graph.decls.get(declKey(r.module, r.name))?.decl) };
  }

  tuple(elements: readonly { type: TypeModel; optional: boolean; name?: string }[], bindings: ReadonlyMap<string, TypeModel>, depth: number): JsonSchema {
    return {
      type: 'array',
      prefixItems: elements.map((e) => ({ ...this.schema(e.type, bindings, depth), ...(e.name ? { title: e.name } : {}) })),
      minItems: elements.filter((e) => !e.optional).length,
      maxItems: elements.length,
    };
  }

  ref(t: Extract<TypeModel, { kind: 'ref' }>, bindings: ReadonlyMap<string, TypeModel>, depth: number): JsonSchema {
    const entry = this.#graph.decls.get(declKey(t.module, t.name));
    if (entry === undefined) return {};
    const decl: DeclModel = entry.decl;
    if (decl.kind !== 'enum' && decl.typeParams.length > 0) {
      // Instantiate in place; a recursive generic stops at a fixed depth rather than looping.
      if (depth > 8) return {};
      const inner = new Map(decl.typeParams.map((p, i) => [p, substituteType(t.args[i] ?? { kind: 'unknown' }, bindings)] as const));
      return this.schema(this.bodyOf(decl), inner, depth + 1);
    }
    const id = `${t.module}.${t.name}`.replace(/\//g, '.');
    if (!this.defs.has(id)) {
      this.defs.set(id, {});
      this.defs.set(id, decl.kind === 'enum'
        ? { enum: decl.members.map((m) => m.value), ...(decl.doc ? { description: decl.doc } : {}) }
        : { ...this.schema(this.bodyOf(decl)), ...(decl.doc ? { description: decl.doc } : {}) });
    }
    return { $ref: `#/$defs/${id}` };
  }
}

function resultSchema(b: CatalogBuilder, r: ResultModel): JsonSchema | undefined {
  switch (r.kind) {
    case 'void': return undefined;
    case 'single': return { args: b.tuple([{ type: r.type, optional: false }], new Map(), 0) };
    case 'multi': return { args: b.tuple(r.elements, new Map(), 0) };
    case 'kwargs': return { kwargs: b.schema(r.type) };
  }
}

function procedureEntry(b: CatalogBuilder, service: string, m: ModuleModel, p: ProcedureModel) {
  return {
    uri: p.uri, match: p.match, service, member: p.name, module: m.id,
    ...(p.doc ? { description: p.doc } : {}),
    ...(p.invoke ? { invoke: p.invoke } : {}),
    ...(p.discloseCaller !== undefined ? { discloseCaller: p.discloseCaller } : {}),
    args: b.tuple(p.args, new Map(), 0),
    ...(p.kwargs ? { kwargs: b.schema(p.kwargs.type) } : {}),
    ...(p.progress ? { progress: b.schema(p.progress), progressive: true } : {}),
    ...(resultSchema(b, p.result) ? { result: resultSchema(b, p.result) } : {}),
    errors: p.errors.map((e) => ({ uri: e.uri, kwargs: b.ref({ kind: 'ref', name: e.name, module: e.module, args: [] }, new Map(), 0) })),
  };
}

function topicEntry(b: CatalogBuilder, service: string, m: ModuleModel, t: TopicModel) {
  return {
    uri: t.uri, match: t.match, service, member: t.name, module: m.id,
    ...(t.doc ? { description: t.doc } : {}),
    ...(t.acknowledge !== undefined ? { acknowledge: t.acknowledge } : {}),
    ...(t.excludeMe !== undefined ? { excludeMe: t.excludeMe } : {}),
    args: b.tuple(t.args, new Map(), 0),
    ...(t.kwargs ? { kwargs: b.schema(t.kwargs.type) } : {}),
  };
}

export function buildCatalog(model: SchemaModel, graph: DeclGraph): string {
  const b = new CatalogBuilder(graph);
  const procedures: unknown[] = [];
  const topics: unknown[] = [];
  for (const m of model.modules) {
    for (const s of m.services) {
      for (const p of s.procedures) procedures.push(procedureEntry(b, s.name, m, p));
      for (const t of s.topics) topics.push(topicEntry(b, s.name, m, t));
    }
  }
  const byUri = (a: unknown, c: unknown): number => {
    const x = (a as { uri: string; member: string }), y = (c as { uri: string; member: string });
    return x.uri < y.uri ? -1 : x.uri > y.uri ? 1 : x.member < y.member ? -1 : x.member > y.member ? 1 : 0;
  };
  const defs: Record<string, JsonSchema> = {};
  for (const key of [...b.defs.keys()].sort()) defs[key] = b.defs.get(key) ?? {};
  const catalog = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    generator: 'wampgen',
    procedures: procedures.sort(byUri),
    topics: topics.sort(byUri),
    $defs: defs,
  };
  return `${JSON.stringify(catalog, null, 2)}\n`;
}
