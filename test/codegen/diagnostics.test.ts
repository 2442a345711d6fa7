/**
 * One test per diagnostic: a small schema with one problem, and the exact file:line:col,
 * code and reason wampgen reports for it. Nothing is written when there are errors.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate, DIAGNOSTIC, formatDiagnostic, type Diagnostic } from '../../codegen/index.js';
import { tempProject } from './helpers.js';

const project = tempProject();
after(() => project.dispose());
let counter = 0;

/** 1-based line and column of the first occurrence of `needle` (after `skip` earlier ones). */
function at(source: string, needle: string, skip = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= skip; i++) index = source.indexOf(needle, index + 1);
  assert.ok(index >= 0, `marker ${needle} not in source`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

async function diagnose(files: Record<string, string>, options: { serializers?: ('json' | 'msgpack' | 'cbor')[] } = {}): Promise<{ diagnostics: Diagnostic[]; dir: string }> {
  const dir = `case${++counter}`;
  for (const [name, text] of Object.entries(files)) project.write(join(dir, name), text);
  const out = join(project.dir, dir, 'out');
  const result = await generate({ inputs: [join(project.dir, dir, 'schema')], outDir: out, cwd: project.dir, ...options });
  assert.equal(result.ok, false);
  assert.equal(existsSync(out), false, 'nothing is written when there are errors');
  return { diagnostics: result.diagnostics, dir };
}

async function expectOne(source: string, code: string, marker: string, message: RegExp, extra: Record<string, string> = {}): Promise<void> {
  const { diagnostics, dir } = await diagnose({ 'schema/api.ts': source, ...extra });
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code}, got:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  const d = found[0];
  assert.ok(d !== undefined);
  assert.equal(`${d.file}:${d.line}:${d.column}`, `${dir}/schema/api.ts:${at(source, marker).line}:${at(source, marker).column}`);
  assert.match(d.message, message);
  assert.ok(d.hint.length > 0);
  assert.doesNotMatch(d.message, /\n/, 'the reason is one line');
}

const svc = (member: string, head = '@wamp.procedures com.example'): string => `/** ${head} */\nexport interface Api {\n  ${member}\n}\n`;

describe('wampgen diagnostics', () => {
  test('WG001 unsupported type (Date) with a hint', async () => {
    const src = svc('at(when: Date): void;');
    await expectOne(src, DIAGNOSTIC.unsupportedType, 'Date', /`Date` cannot be represented/);
  });

  test('WG001 extending something that is not an object type', async () => {
    const src = `export type Kind = 'a' | 'b';\nexport interface Thing extends Kind { x: number }\n`;
    const { diagnostics, dir } = await diagnose({ 'schema/api.ts': src });
    const found = diagnostics.filter((d) => d.code === DIAGNOSTIC.unsupportedType);
    assert.ok(found.length >= 1, diagnostics.map(formatDiagnostic).join('\n'));
    assert.ok(found.every((d) => d.file === `${dir}/schema/api.ts` && d.line === 2));
  });

  test('WG002 any is an error, never a silent any', async () => {
    await expectOne(svc('f(x: any): void;'), DIAGNOSTIC.anyType, 'any', /`any` cannot be validated/);
  });

  test('WG003 a function as payload', async () => {
    await expectOne(svc('f(cb: () => void): void;'), DIAGNOSTIC.functionType, '() => void', /a function cannot be a payload/);
  });

  test('WG004 a class as payload', async () => {
    const src = `export class Point { x = 1; }\n${svc('f(p: Point): void;')}`;
    const { diagnostics } = await diagnose({ 'schema/api.ts': src });
    const codes = diagnostics.filter((d) => d.code === DIAGNOSTIC.classType);
    assert.equal(codes.length, 2, diagnostics.map(formatDiagnostic).join('\n'));
    const use = codes.find((d) => d.line === at(src, 'Point)').line);
    assert.equal(use?.column, at(src, 'Point)').column);
    assert.match(use?.message ?? '', /class `Point` cannot be a payload/);
  });

  test('WG005 symbols', async () => {
    await expectOne(svc('f(s: symbol): void;'), DIAGNOSTIC.symbolType, 'symbol', /symbol cannot be serialised/);
  });

  test('WG006 unresolved import', async () => {
    const src = `import type { Missing } from './nowhere.js';\n${svc('f(m: Missing): void;')}`;
    const { diagnostics, dir } = await diagnose({ 'schema/api.ts': src });
    const found = diagnostics.filter((d) => d.code === DIAGNOSTIC.unresolvedImport);
    assert.deepEqual(found.map((d) => `${d.file}:${d.line}:${d.column}`).sort(), [
      `${dir}/schema/api.ts:1:30`,
      `${dir}/schema/api.ts:${at(src, 'Missing)').line}:${at(src, 'Missing)').column}`,
    ]);
    assert.match(found[0]?.message ?? '', /^Cannot find module '.\/nowhere.js' or its corresponding type declarations\. \(TS2307\)$/, 'the compiler\'s own message');
    assert.match(found[1]?.message ?? '', /`Missing` comes from an import that cannot be resolved/);
  });

  test('WG007 index signature it cannot represent', async () => {
    const src = `export interface Bag { name: string; [key: string]: string }\n${svc('f(b: Bag): void;')}`;
    await expectOne(src, DIAGNOSTIC.indexSignature, '[key', /index signature mixed with other members/);
  });

  test('WG008 unknown type name, with the compiler\'s message', async () => {
    await expectOne(svc('f(x: Nope): void;'), DIAGNOSTIC.unresolvedType, 'Nope', /^Cannot find name 'Nope'\. \(TS2304\)$/);
  });

  test('WG009 a type from a file that is not a schema input', async () => {
    const src = `import type { Ext } from '../ext.js';\n${svc('f(x: Ext): void;')}`;
    await expectOne(src, DIAGNOSTIC.outsideInputs, 'Ext)', /not a schema input/, { 'ext.ts': 'export interface Ext { a: string }\n' });
  });

  test('WG010 bigint where the JSON serializer may be used', async () => {
    const src = `export interface Money { cents: bigint }\n${svc('pay(m: Money): void;')}`;
    await expectOne(src, DIAGNOSTIC.bigintSerializer, 'bigint', /bigint cannot travel over JSON/);
  });

  test('WG010 is not reported when the service declares binary serializers only', async () => {
    const src = `export interface Money { cents: bigint }\n${svc('pay(m: Money): void;', '@wamp.procedures com.example\n * @wamp.serializers msgpack cbor')}\n${svc('f(x: Nope2): void;').replace('Api', 'Other')}`;
    const { diagnostics } = await diagnose({ 'schema/api.ts': src });
    assert.deepEqual(diagnostics.map((d) => d.code), [DIAGNOSTIC.unresolvedType]);
  });

  test('WG011 unknown tag', async () => {
    await expectOne(svc('/** @wamp.progresive */\n  f(): void;'), DIAGNOSTIC.badTag, '@wamp.progresive', /unknown or misplaced tag @wamp.progresive/);
  });

  test('WG012 invalid URI', async () => {
    await expectOne(svc('f(): void;', '@wamp.procedures com..example'), DIAGNOSTIC.badUri, '@wamp.procedures', /empty component/);
  });

  test('WG013 a topic member that returns a value', async () => {
    await expectOne(svc('f(x: number): number;', '@wamp.topics com.example'), DIAGNOSTIC.badMember, 'number;', /must return void/);
  });

  test('WG014 two modules generating the same name', async () => {
    const { diagnostics } = await diagnose({
      'schema/api.ts': 'export interface Thing { a: string }\n',
      'schema/other.ts': 'export type Thing = { b: number };\n',
    });
    assert.equal(diagnostics.filter((d) => d.code === DIAGNOSTIC.duplicateName).length, 2);
    assert.match(diagnostics[0]?.message ?? '', /already generated/);
  });

  test('WG015 @throws naming something that is not a declared error', async () => {
    const src = `export interface NotAnError { a: string }\n${svc('/** @throws {NotAnError} */\n  f(): void;')}`;
    await expectOne(src, DIAGNOSTIC.badError, '@throws', /not a declared application error/);
  });

  test('WG016 Kwargs<T> that is not the last parameter', async () => {
    const src = `import type { Kwargs } from 'wampkit/codegen/schema';\n${svc('f(k: Kwargs<{ a: string }>, x: number): void;')}`;
    await expectOne(src, DIAGNOSTIC.badKwargs, 'k: Kwargs', /must be the last parameter/);
  });

  test('WG016 Kwargs<T> with a non-object T names the alternatives', async () => {
    const src = `import type { Kwargs } from 'wampkit/codegen/schema';\n${svc('f(k: Kwargs<string[]>): void;')}`;
    await expectOne(src, DIAGNOSTIC.badKwargs, 'string[]', /^Kwargs<string\[\]> is not an object type, so it can never be valid keyword arguments$/);
    const { diagnostics } = await diagnose({ 'schema/api.ts': src });
    assert.match(diagnostics.find((d) => d.code === DIAGNOSTIC.badKwargs)?.hint ?? '', /positional parameter .* Kwargs<\{ name: string\[\] \}>/);
  });

  test('messages say what the user wrote, never the compiler\'s internal names', async () => {
    const src = svc('f(a: object, b: { [K in \'x\' | \'y\']: number }, c: Record<number, string>, d: `id-${Uint8Array}`): void;');
    const { diagnostics } = await diagnose({ 'schema/api.ts': src });
    const messages = diagnostics.map((d) => d.message);
    assert.ok(messages.includes('`object` cannot be represented on the wire'), messages.join('\n'));
    assert.ok(messages.includes('a mapped type cannot be represented on the wire'), messages.join('\n'));
    assert.ok(messages.includes('Record keys of type `number` cannot be represented'), messages.join('\n'));
    assert.ok(messages.includes('`Uint8Array` cannot be part of a template literal type'), messages.join('\n'));
    for (const d of diagnostics) assert.doesNotMatch(`${d.message} ${d.hint}`, /Keyword|Type\)|\(\w+(Type|Keyword)\)|SyntaxKind/);
  });

  test('WG017 generic members', async () => {
    await expectOne(svc('f<T>(x: T): void;'), DIAGNOSTIC.genericMember, 'f<T>', /cannot be generic/);
  });

  test('WG018 no schema files', async () => {
    project.write('empty/readme.md', 'nothing here\n');
    const result = await generate({ inputs: [join(project.dir, 'empty')], outDir: join(project.dir, 'empty-out'), cwd: project.dir });
    assert.equal(result.ok, false);
    assert.equal(result.diagnostics[0]?.code, DIAGNOSTIC.noInputs);
  });

  test('WG019 two members with the same URI', async () => {
    const src = svc('a(): void;\n  /** @wamp.uri com.example.a */\n  b(): void;');
    await expectOne(src, DIAGNOSTIC.duplicateUri, 'b()', /URI com.example.a is already used by Api.a/);
  });

  test('WG013 a parameter name the generated code needs for itself', async () => {
    await expectOne(svc('f(callOptions: string): void;'), DIAGNOSTIC.badMember, 'f(', /parameter name `callOptions`/);
  });

  test('diagnostics format as file:line:col - error CODE: reason, then a hint', () => {
    const text = formatDiagnostic({ code: DIAGNOSTIC.anyType, severity: 'error', file: 'a.ts', line: 3, column: 7, message: 'm', hint: 'h' });
    assert.equal(text, 'a.ts:3:7 - error WG002: m\n  hint: h');
  });
});
