/**
 * Checks that need the whole model: generated names that would collide in the index, reserved
 * parameter names, bigint reachable from a service that may run over JSON, and declared errors
 * that are not error declarations.
 */
import { DIAGNOSTIC, diagnostic, type Diagnostic } from './diagnostics.js';
import { declTypes, walkType, type DeclModel, type ParamModel, type SchemaModel, type ServiceModel, type SourcePos, type TypeModel } from './model.js';

/**
 * Parameter names the generated methods use themselves, or that would shadow a support function
 * called in their bodies.
 */
const RESERVED_PARAMS = [
  'callOptions', 'publishOptions', 'details', 'procedure', 'topic',
  'call', 'callProgressive', 'single', 'multiple', 'keywords', 'none', 'positional', 'publish',
];
/** Member names that cannot be methods of the generated classes. */
const RESERVED_MEMBERS = ['constructor', 'with'];

function generatedNames(d: DeclModel): string[] {
  return d.kind !== 'enum' && d.errorUri !== undefined ? [d.name, `${d.name}Schema`, `${d.name}Error`] : [d.name, `${d.name}Schema`];
}

function serviceNames(s: ServiceModel): string[] {
  const base = [`${s.name}Uris`, `${s.name}Schemas`];
  return s.kind === 'procedures'
    ? [...base, `${s.name}Impl`, `${s.name}Caller`, `register${s.name}`]
    : [...base, `${s.name}Handlers`, `${s.name}Publisher`, `subscribe${s.name}`];
}

/** Names the index re-exports from wampkit/stubs, or that generated modules import from it. */
const SUPPORT_EXPORTS = [
  'InvalidPayloadError', 'ProgressiveCall', 'configureStubs', 'CallerOptions', 'CallerStubOptions', 'PublisherStubOptions', 'InvalidEvent',
  'PayloadIssue', 'Registrations', 'SubscribeAllOptions', 'Subscriptions', 'CallerStub', 'PublisherStub', 'requireStubsApi',
  'zBigint', 'zInt64', 'ApplicationError', 'WampSession', 'InvocationDetails', 'EventDetails', 'PublishOptions', 'Publication', 'z',
];

export function validateModel(model: SchemaModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const taken = new Map<string, SourcePos>();
  const claim = (name: string, pos: SourcePos, what: string): void => {
    const before = taken.get(name);
    if (SUPPORT_EXPORTS.includes(name)) {
      out.push(diagnostic(DIAGNOSTIC.duplicateName, pos, `${what} generates \`${name}\`, a name the generated code exports or imports itself`, 'rename the declaration'));
    } else if (before !== undefined) {
      out.push(diagnostic(DIAGNOSTIC.duplicateName, pos, `${what} generates \`${name}\`, already generated for ${before.file}:${before.line}:${before.column}`, 'rename one of them: all modules are re-exported from one index'));
    } else {
      taken.set(name, pos);
    }
  };
  const decls = new Map<string, DeclModel>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      decls.set(`${m.id}#${d.name}`, d);
      for (const n of generatedNames(d)) claim(n, d.pos, `\`${d.name}\``);
    }
    for (const s of m.services) for (const n of serviceNames(s)) claim(n, s.pos, `service \`${s.name}\``);
  }
  const uris = new Map<string, { what: string; pos: SourcePos }>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind === 'enum') continue;
      for (const base of d.extends ?? []) {
        const target = decls.get(`${base.module}#${base.name}`);
        if (target !== undefined && (target.kind === 'enum' || target.type.kind !== 'object')) {
          out.push(diagnostic(DIAGNOSTIC.unsupportedType, d.pos, `\`${d.name}\` extends \`${base.name}\`, which is not an object type`, 'extend interfaces or object type aliases only'));
        }
      }
    }
    for (const s of m.services) {
      const members = [...s.procedures, ...s.topics];
      for (const member of members) {
        if (RESERVED_MEMBERS.includes(member.name)) {
          out.push(diagnostic(DIAGNOSTIC.badMember, member.pos, `\`${member.name}\` cannot be a procedure or topic name`, 'rename the member and keep the URI with @wamp.uri'));
        }
        const seenUri = uris.get(`${s.kind}:${member.uri}`);
        if (seenUri !== undefined) {
          out.push(diagnostic(DIAGNOSTIC.duplicateUri, member.pos, `URI ${member.uri} is already used by ${seenUri.what} (${seenUri.pos.file}:${seenUri.pos.line}:${seenUri.pos.column})`, 'give one of them another name or @wamp.uri'));
        } else {
          uris.set(`${s.kind}:${member.uri}`, { what: `${s.name}.${member.name}`, pos: member.pos });
        }
        const params: ParamModel[] = [...member.args, ...(member.kwargs ? [member.kwargs] : [])];
        for (const p of params) {
          if (RESERVED_PARAMS.includes(p.name)) {
            out.push(diagnostic(DIAGNOSTIC.badMember, member.pos, `parameter name \`${p.name}\` of \`${member.name}\` is used by the generated code`, `rename it (reserved: ${RESERVED_PARAMS.join(', ')})`));
          }
        }
      }
      if (s.serializers.includes('json')) out.push(...bigintOverJson(s, decls));
    }
  }
  return out;
}

/** bigint that a JSON-capable service could have to carry, reported where the bigint is written. */
function bigintOverJson(s: ServiceModel, decls: ReadonlyMap<string, DeclModel>): Diagnostic[] {
  const found = new Map<string, SourcePos>();
  const seen = new Set<string>();
  const visit = (t: TypeModel): void => walkType(t, (x) => {
    if (x.kind === 'bigint' && x.pos !== undefined) found.set(`${x.pos.file}:${x.pos.line}:${x.pos.column}`, x.pos);
    if (x.kind === 'ref') {
      const key = `${x.module}#${x.name}`;
      const d = decls.get(key);
      if (d !== undefined && d.kind !== 'enum' && !seen.has(key)) {
        seen.add(key);
        for (const part of declTypes(d)) visit(part);
      }
    }
  });
  for (const p of s.procedures) {
    for (const a of p.args) visit(a.type);
    if (p.kwargs) visit(p.kwargs.type);
    if (p.progress) visit(p.progress);
    if (p.result.kind === 'single' || p.result.kind === 'kwargs') visit(p.result.type);
    if (p.result.kind === 'multi') for (const e of p.result.elements) visit(e.type);
  }
  for (const t of s.topics) {
    for (const a of t.args) visit(a.type);
    if (t.kwargs) visit(t.kwargs.type);
  }
  return [...found.values()].map((pos) =>
    diagnostic(DIAGNOSTIC.bigintSerializer, pos, `bigint cannot travel over JSON, and ${s.name} allows the json serializer`, `declare /** @wamp.serializers msgpack cbor */ on ${s.name} (or set "serializers" in wampgen.config.json), or use number/string`),
  );
}
