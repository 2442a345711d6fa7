/**
 * The schema model: plain, serialisable data between parse (ts-morph) and emit (templates).
 * Parse fills it; `finishModel` sorts it and runs the checks that need the whole picture
 * (name collisions, bigint against the declared serializers, recursion).
 */

/** Where something was declared, for diagnostics: 1-based line and column. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** String formats the schema helper types name (JSON Schema's format names). */
export type StringFormat = 'date-time' | 'date' | 'uuid' | 'email' | 'uri';
export const STRING_FORMATS: readonly StringFormat[] = ['date-time', 'date', 'uuid', 'email', 'uri'];

export type TypeModel =
  | { readonly kind: 'boolean' | 'null' | 'bytes' | 'unknown' }
  | { readonly kind: 'string'; readonly format?: StringFormat }
  | { readonly kind: 'number'; readonly integer?: true }
  /** `pos` lets the serializer check point at the bigint itself; `int64` adds the range check. */
  | { readonly kind: 'bigint'; readonly pos?: SourcePos; readonly int64?: true }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'array'; readonly element: TypeModel; readonly readonly?: true }
  | { readonly kind: 'tuple'; readonly elements: readonly TupleElement[]; readonly readonly?: true }
  | { readonly kind: 'object'; readonly props: readonly PropModel[] }
  /** `key` absent: string keys; else a union of string literals or a string enum (every key required). */
  | { readonly kind: 'record'; readonly value: TypeModel; readonly key?: TypeModel }
  /** A template literal type: text and types (string, number, bigint, boolean, literals) in turn. */
  | { readonly kind: 'template'; readonly parts: readonly (string | TypeModel)[] }
  | { readonly kind: 'union'; readonly members: readonly TypeModel[] }
  | { readonly kind: 'ref'; readonly name: string; readonly module: string; readonly args: readonly TypeModel[] }
  | { readonly kind: 'param'; readonly name: string };

export type RefModel = Extract<TypeModel, { kind: 'ref' }>;

export interface TupleElement {
  readonly name?: string;
  readonly type: TypeModel;
  readonly optional: boolean;
}

export interface PropModel {
  readonly name: string;
  readonly type: TypeModel;
  readonly optional: boolean;
  readonly readonly?: true;
  readonly doc?: string;
}

/** A named payload type declared in a schema module. */
export type DeclModel =
  | {
      readonly kind: 'interface' | 'alias';
      readonly name: string;
      readonly typeParams: readonly string[];
      readonly type: TypeModel;
      /** Interfaces this one extends (references to object-shaped declarations). */
      readonly extends?: readonly RefModel[];
      readonly doc?: string;
      /** Set when the declaration carries `@wamp.error <uri>`: it is an application error's kwargs. */
      readonly errorUri?: string;
      readonly pos: SourcePos;
    }
  | {
      readonly kind: 'enum';
      readonly name: string;
      readonly members: readonly { readonly name: string; readonly value: string | number; readonly doc?: string }[];
      readonly doc?: string;
      readonly pos: SourcePos;
    };

export type Serializer = 'json' | 'msgpack' | 'cbor';
export const SERIALIZERS: readonly Serializer[] = ['json', 'msgpack', 'cbor'];

export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';
export const MATCH_POLICIES: readonly MatchPolicy[] = ['exact', 'prefix', 'wildcard'];
export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';
export const INVOKE_POLICIES: readonly InvokePolicy[] = ['single', 'roundrobin', 'random', 'first', 'last'];

export interface ParamModel {
  readonly name: string;
  readonly type: TypeModel;
  readonly optional: boolean;
}

/** How a procedure answers. */
export type ResultModel =
  | { readonly kind: 'void' }
  | { readonly kind: 'single'; readonly type: TypeModel }
  | { readonly kind: 'multi'; readonly elements: readonly TupleElement[] }
  | { readonly kind: 'kwargs'; readonly type: TypeModel };

export interface ProcedureModel {
  readonly name: string;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly doc?: string;
  readonly args: readonly ParamModel[];
  /** The `Kwargs<T>` parameter, if the procedure takes keyword arguments. */
  readonly kwargs?: ParamModel;
  readonly result: ResultModel;
  /** Progressive results: the type of each progressive result; `result` is the final one. */
  readonly progress?: TypeModel;
  /** Declared application errors: names of `@wamp.error` declarations (module-qualified refs). */
  readonly errors: readonly { readonly name: string; readonly module: string; readonly uri: string; readonly doc?: string }[];
  readonly invoke?: InvokePolicy;
  readonly discloseCaller?: boolean;
  readonly pos: SourcePos;
}

export interface TopicModel {
  readonly name: string;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly doc?: string;
  readonly args: readonly ParamModel[];
  readonly kwargs?: ParamModel;
  readonly acknowledge?: boolean;
  readonly excludeMe?: boolean;
  readonly pos: SourcePos;
}

export interface ServiceModel {
  readonly kind: 'procedures' | 'topics';
  readonly name: string;
  readonly prefix: string;
  readonly doc?: string;
  readonly serializers: readonly Serializer[];
  readonly procedures: readonly ProcedureModel[];
  readonly topics: readonly TopicModel[];
  readonly pos: SourcePos;
}

export interface ModuleModel {
  /** Path relative to the schema root, forward slashes, without extension: `chat/messages`. */
  readonly id: string;
  /** The schema file as given (for headers and diagnostics), relative to the working directory. */
  readonly source: string;
  /** The file's leading JSDoc comment, kept at the top of the generated module. */
  readonly doc?: string;
  readonly decls: readonly DeclModel[];
  readonly services: readonly ServiceModel[];
}

export interface SchemaModel {
  readonly modules: readonly ModuleModel[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Sorts everything that has no meaningful source order, so output never depends on input order. */
export function sortModule(module: ModuleModel): ModuleModel {
  return {
    ...module,
    decls: [...module.decls].sort(byName),
    services: [...module.services]
      .map((s) => ({ ...s, procedures: [...s.procedures].sort(byName), topics: [...s.topics].sort(byName) }))
      .sort(byName),
  };
}

/** Visits every type in a type tree (depth first, the type itself first). */
export function walkType(type: TypeModel, visit: (t: TypeModel) => void): void {
  visit(type);
  switch (type.kind) {
    case 'array': walkType(type.element, visit); break;
    case 'record': if (type.key !== undefined) walkType(type.key, visit); walkType(type.value, visit); break;
    case 'tuple': for (const e of type.elements) walkType(e.type, visit); break;
    case 'object': for (const p of type.props) walkType(p.type, visit); break;
    case 'union': for (const m of type.members) walkType(m, visit); break;
    case 'ref': for (const a of type.args) walkType(a, visit); break;
    case 'template': for (const p of type.parts) if (typeof p !== 'string') walkType(p, visit); break;
    default: break;
  }
}

/** Every type tree a declaration is made of (its body and what it extends). */
export function declTypes(decl: DeclModel): readonly TypeModel[] {
  return decl.kind === 'enum' ? [] : [decl.type, ...(decl.extends ?? [])];
}

/** Replaces type parameters by their bindings, all the way down (unbound ones become unknown). */
export function substituteType(t: TypeModel, bindings: ReadonlyMap<string, TypeModel>): TypeModel {
  switch (t.kind) {
    case 'param': return bindings.get(t.name) ?? { kind: 'unknown' };
    case 'array': return { ...t, element: substituteType(t.element, bindings) };
    case 'record': return { ...t, value: substituteType(t.value, bindings) };
    case 'tuple': return { ...t, elements: t.elements.map((e) => ({ ...e, type: substituteType(e.type, bindings) })) };
    case 'template': return { kind: 'template', parts: t.parts.map((p) => (typeof p === 'string' ? p : substituteType(p, bindings))) };
    case 'object': return { kind: 'object', props: t.props.map((p) => ({ ...p, type: substituteType(p.type, bindings) })) };
    case 'union': return { kind: 'union', members: t.members.map((m) => substituteType(m, bindings)) };
    case 'ref': return { ...t, args: t.args.map((a) => substituteType(a, bindings)) };
    default: return t;
  }
}

/**
 * The members of an interface including inherited ones (own members win), with the bases'
 * type parameters bound to the arguments given in `extends`. `lookup` finds declarations.
 */
export function flattenProps(decl: DeclModel, lookup: (ref: RefModel) => DeclModel | undefined, depth = 0): PropModel[] {
  if (decl.kind === 'enum' || decl.type.kind !== 'object') return [];
  const own = decl.type.props;
  if (decl.extends === undefined || depth > 16) return [...own];
  const merged = new Map<string, PropModel>();
  for (const base of decl.extends) {
    const baseDecl = lookup(base);
    if (baseDecl === undefined || baseDecl.kind === 'enum') continue;
    const bindings = new Map(baseDecl.typeParams.map((p, i) => [p, base.args[i] ?? { kind: 'unknown' as const }] as const));
    for (const p of flattenProps(baseDecl, lookup, depth + 1)) merged.set(p.name, { ...p, type: substituteType(p.type, bindings) });
  }
  for (const p of own) merged.set(p.name, p);
  return [...merged.values()];
}
