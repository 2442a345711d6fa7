// The engine's modules import each other in one direction only: a circle (even through
// type-only imports) means two files are one concept split in two, which is what
// WebSocketConnection once was (connection.ts / connection-api.ts / connection-types.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../../runtime/websocket/', import.meta.url));
/** `import … from './x.js'`, `import type …`, `export … from`, `import('./x.js')`, across lines. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

function localImports(file: string, files: ReadonlySet<string>): string[] {
  const source = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'));
    if (files.has(target)) out.push(target);
  }
  return out;
}

/** Every circle found by a depth-first walk, as file names relative to the engine. */
function circles(files: readonly string[]): string[] {
  const set = new Set(files);
  const graph = new Map(files.map((f) => [f, localImports(f, set)]));
  const found = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (file: string): void => {
    path.push(file);
    onPath.add(file);
    for (const next of graph.get(file)!) {
      if (onPath.has(next)) found.add(path.slice(path.indexOf(next)).concat(next).map((f) => relative(ENGINE, f)).join(' -> '));
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of files) if (!done.has(file)) visit(file);
  return [...found];
}

test('runtime/websocket has no import circles', () => {
  const files = readdirSync(ENGINE).filter((name) => name.endsWith('.ts')).map((name) => join(ENGINE, name));
  assert.ok(files.length > 20, `found the engine's files (${files.length})`);
  assert.deepEqual(circles(files), []);
});

test('the circle check sees type-only and multi-line imports', () => {
  const probe = `import type {\n  A,\n} from './a.js';\nexport { b } from "./b.js";\nconst c = await import('./c.js');`;
  const specifiers = [...probe.matchAll(IMPORT)].map((m) => m[1]);
  // Double quotes are not the project's style (and not matched); the other two forms are.
  assert.deepEqual(specifiers, ['./a.js', './c.js']);
});
