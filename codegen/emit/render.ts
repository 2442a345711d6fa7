/**
 * Pure renderers: TypeModel -> TypeScript type text and -> zod schema expression. A `RenderScope`
 * says which module is being written (so references to other modules are recorded as imports)
 * and which declarations must be referenced lazily (members of a reference cycle).
 */
import type { DeclModel, StringFormat, TypeModel } from '../model.js';

export interface RenderScope {
  readonly module: string;
  /** `module#name` keys of declarations in a reference cycle: referenced through z.lazy. */
  readonly lazy: ReadonlySet<string>;
  /** Looks a declaration up (for discriminated-union detection). */
  readonly decl: (module: string, name: string) => DeclModel | undefined;
  /** Records that the module being written needs `name` from `module`. */
  readonly need: (module: string, name: string, typeOnly: boolean) => void;
  /** Records that the module needs a support helper. */
  readonly support: (name: string) => void;
  /** Records that the module needs one of the LOCAL_SCHEMAS. */
  readonly local: (name: keyof typeof LOCAL_SCHEMAS) => void;
}

/**
 * Schemas a module declares once at its top when it uses them. They build on the module's own
 * `z`, so a project's zod is the only zod involved.
 */
export const LOCAL_SCHEMAS = {
  /** 64-bit integers: serializers hand over a bigint or, for small values, a number. */
  zBigint: 'z.union([z.bigint(), z.int().transform((n) => BigInt(n))])',
  /** Signed 64-bit integers; the bounds are written as strings so no target needs bigint literals. */
  zInt64: "z.union([z.bigint(), z.int().transform((n) => BigInt(n))]).pipe(z.bigint().min(BigInt('-9223372036854775808')).max(BigInt('9223372036854775807')))",
} as const;

export const declKey = (module: string, name: string): string => `${module}#${name}`;

/** A single-quoted TypeScript string literal. */
export function quote(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

export function literal(value: string | number | boolean): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
export const propName = (name: string): string => (IDENT.test(name) ? name : quote(name));

/** A JSDoc block at the given indentation, or '' (never emits an unterminated comment). */
export function jsdoc(text: string | undefined, indent = ''): string {
  if (text === undefined || text === '') return '';
  const lines = text.replace(/\*\//g, '*\\/').split(/\r?\n/);
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => (l.trim() === '' ? `${indent} *` : `${indent} * ${l}`)).join('\n')}\n${indent} */\n`;
}

export function tsType(t: TypeModel, scope: RenderScope): string {
  switch (t.kind) {
    case 'string': case 'number': case 'boolean': case 'null': case 'bigint': case 'unknown': return t.kind;
    case 'template': return `\`${t.parts.map((p) => (typeof p === 'string' ? escapeTemplate(p) : `\${${tsType(p, scope)}}`)).join('')}\``;
    case 'bytes': return 'Uint8Array';
    case 'literal': return literal(t.value);
    case 'array': {
      const inner = tsType(t.element, scope);
      return `${t.readonly ? 'readonly ' : ''}${t.element.kind === 'union' ? `(${inner})[]` : `${inner}[]`}`;
    }
    case 'tuple': return `${t.readonly ? 'readonly ' : ''}[${t.elements.map((e) => tupleElement(e, scope)).join(', ')}]`;
    case 'object': return t.props.length === 0 ? 'Record<string, never>' : `{ ${t.props.map((p) => `${p.readonly ? 'readonly ' : ''}${propName(p.name)}${optionalType(p, scope)}`).join('; ')} }`;
    case 'record': return `Record<${t.key === undefined ? 'string' : tsType(t.key, scope)}, ${tsType(t.value, scope)}>`;
    case 'union': return t.members.map((m) => tsType(m, scope)).join(' | ');
    case 'param': return t.name;
    case 'ref': {
      if (t.module !== scope.module) scope.need(t.module, t.name, true);
      return t.args.length === 0 ? t.name : `${t.name}<${t.args.map((a) => tsType(a, scope)).join(', ')}>`;
    }
  }
}

/**
 * `?: T | undefined` for an optional member: the validator accepts an explicit undefined (and
 * the serializers leave it out), so the type says so too, which keeps the type and its schema
 * in agreement under `exactOptionalPropertyTypes`.
 */
function optionalType(p: { readonly optional: boolean; readonly type: TypeModel }, scope: RenderScope): string {
  return p.optional ? `?: ${withUndefined(p.type, scope)}` : `: ${tsType(p.type, scope)}`;
}

function withUndefined(t: TypeModel, scope: RenderScope): string {
  return t.kind === 'unknown' ? 'unknown' : `${tsType(t, scope)} | undefined`;
}

function tupleElement(e: { readonly name?: string; readonly type: TypeModel; readonly optional: boolean }, scope: RenderScope): string {
  if (e.name !== undefined) return `${e.name}${optionalType(e, scope)}`;
  return e.optional ? `(${withUndefined(e.type, scope)})?` : tsType(e.type, scope);
}

/** The body of an object type, one member per line with its JSDoc. */
export function tsObjectBody(t: Extract<TypeModel, { kind: 'object' }>, scope: RenderScope, indent: string): string {
  return t.props.map((p) => `${jsdoc(p.doc, indent)}${indent}${p.readonly ? 'readonly ' : ''}${propName(p.name)}${optionalType(p, scope)};\n`).join('');
}

/** Literal text inside a template literal type. */
function escapeTemplate(text: string): string {
  return text.replace(/[\\`]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${');
}

/** zod for each string format helper (docs/schema.md lists them). */
const FORMAT_ZOD: Readonly<Record<StringFormat, string>> = {
  'date-time': 'z.iso.datetime({ offset: true })',
  date: 'z.iso.date()',
  uuid: 'z.uuid()',
  email: 'z.email()',
  uri: 'z.url()',
};

export function zodType(t: TypeModel, scope: RenderScope): string {
  switch (t.kind) {
    case 'string': return t.format === undefined ? 'z.string()' : FORMAT_ZOD[t.format];
    case 'number': return t.integer === true ? 'z.int()' : 'z.number()';
    case 'template': return `z.templateLiteral([${t.parts.map((p) => (typeof p === 'string' ? quote(p) : zodType(p, scope))).join(', ')}])`;
    case 'boolean': return 'z.boolean()';
    case 'null': return 'z.null()';
    case 'unknown': return 'z.unknown()';
    case 'bytes': return 'z.instanceof(Uint8Array)';
    case 'bigint': {
      const name = t.int64 === true ? 'zInt64' : 'zBigint';
      scope.local(name);
      return name;
    }
    case 'literal': return `z.literal(${literal(t.value)})`;
    case 'array': return `z.array(${zodType(t.element, scope)})`;
    case 'record': return `z.record(${t.key === undefined ? 'z.string()' : zodType(t.key, scope)}, ${zodType(t.value, scope)})`;
    case 'tuple': return `z.tuple([${t.elements.map((e) => zodType(e.type, scope) + (e.optional ? '.optional()' : '')).join(', ')}])`;
    case 'object': return zodObject(t, scope);
    case 'param': return t.name;
    case 'union': return zodUnion(t.members, scope);
    case 'ref': {
      if (t.module !== scope.module) scope.need(t.module, `${t.name}Schema`, false);
      const call = t.args.length === 0 ? `${t.name}Schema` : `${t.name}Schema(${t.args.map((a) => zodType(a, scope)).join(', ')})`;
      return scope.lazy.has(declKey(t.module, t.name)) ? `z.lazy(() => ${call})` : call;
    }
  }
}

/** `z.object({ … })`; one member per line (at `indent`) when `multiline`. */
export function zodObject(t: Extract<TypeModel, { kind: 'object' }>, scope: RenderScope, multiline = false, indent = ''): string {
  if (t.props.length === 0) return 'z.object({})';
  const field = (p: (typeof t.props)[number]): string => `${propName(p.name)}: ${zodType(p.type, scope)}${p.optional ? '.optional()' : ''}`;
  if (!multiline) return `z.object({ ${t.props.map(field).join(', ')} })`;
  return `z.object({\n${t.props.map((p) => `${indent}  ${field(p)},\n`).join('')}${indent}})`;
}

function zodUnion(members: readonly TypeModel[], scope: RenderScope): string {
  const nonNull = members.filter((m) => m.kind !== 'null');
  const nullable = nonNull.length < members.length;
  let inner: string;
  if (nonNull.length === 1 && nonNull[0] !== undefined) {
    inner = zodType(nonNull[0], scope);
  } else if (nonNull.length > 0 && nonNull.every((m) => m.kind === 'literal' && typeof m.value === 'string')) {
    inner = `z.enum([${nonNull.map((m) => (m.kind === 'literal' ? literal(m.value) : '')).join(', ')}])`;
  } else {
    const tag = discriminator(nonNull, scope);
    const parts = nonNull.map((m) => zodType(m, scope)).join(', ');
    inner = tag !== undefined ? `z.discriminatedUnion(${quote(tag)}, [${parts}])` : `z.union([${parts}])`;
  }
  return nullable ? (nonNull.length === 0 ? 'z.null()' : `${inner}.nullable()`) : inner;
}

/** The property every member has as a distinct literal, when all members are plain objects. */
function discriminator(members: readonly TypeModel[], scope: RenderScope): string | undefined {
  const objects: Extract<TypeModel, { kind: 'object' }>[] = [];
  for (const m of members) {
    if (m.kind === 'object') objects.push(m);
    else if (m.kind === 'ref' && m.args.length === 0 && !scope.lazy.has(declKey(m.module, m.name))) {
      const d = scope.decl(m.module, m.name);
      if (d === undefined || d.kind === 'enum' || d.typeParams.length > 0 || d.type.kind !== 'object') return undefined;
      objects.push(d.type);
    } else return undefined;
  }
  const first = objects[0];
  if (first === undefined || objects.length < 2) return undefined;
  for (const candidate of first.props) {
    const values = objects.map((o) => o.props.find((p) => p.name === candidate.name && !p.optional)?.type);
    if (values.every((v) => v?.kind === 'literal') && new Set(values.map((v) => (v?.kind === 'literal' ? v.value : undefined))).size === values.length) {
      return candidate.name;
    }
  }
  return undefined;
}
