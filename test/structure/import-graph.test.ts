// The runtime's import graph: no circles (value or type imports, static or dynamic), and the
// dependency directions docs/architecture.md describes. A small walk over the sources, so a
// circle cannot come back unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runtime = fileURLToPath(new URL('../../runtime/', import.meta.url));

/**
 * Circles that other work in flight removes, each with who removes it. An entry that no longer
 * exists fails the test, so the list is emptied as that work lands (then delete the entry).
 */
const KNOWN_ELSEWHERE: ReadonlyMap<string, string> = new Map<string, string>([
  // (empty: the websocket connection circle went with issue 12's one-class WebSocketConnection)
]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

// import x from '...', import type {...} from '...', export {...} from '...', import '...', import('...')
const SPECIFIER = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of each runtime module, as runtime-relative paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(runtime)) {
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      deps.push(relative(runtime, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(runtime, file), deps);
  }
  return graph;
}

/** Every elementary circle found by a depth-first walk, each written from its first module on the stack. */
function circles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') found.push(stack.slice(stack.indexOf(dep)).join(' -> '));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

test('the walk sees the graph: a sample of known edges is there', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `only ${graph.size} modules found`);
  assert.ok(graph.get('router/router.ts')?.includes('router/realm.ts'));
  assert.ok(graph.get('wamp/session.ts')?.includes('wamp/session-outbound.ts'));
  assert.ok(graph.get('errors.ts')?.includes('error-codes.ts'), 'type-only imports count');
});

test('the walk finds a circle when there is one', () => {
  const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
  assert.deepEqual(circles(graph), ['a.ts -> b.ts -> c.ts']);
});

test('runtime/ has no import circles', () => {
  const found = circles(importGraph());
  const unexpected = found.filter((c) => !KNOWN_ELSEWHERE.has(c));
  assert.deepEqual(unexpected, [], 'import circles in runtime/');
  for (const [circle, owner] of KNOWN_ELSEWHERE) {
    assert.ok(found.includes(circle), `the circle ${circle} is gone (${owner}): remove it from KNOWN_ELSEWHERE`);
  }
});

test('client-side authentication never imports the router; router-side authentication only through its public entry', () => {
  const graph = importGraph();
  const offenders: string[] = [];
  for (const [module, deps] of graph) {
    if (!module.startsWith('auth/')) continue;
    // wampkit/auth/router re-exports the router's internal caller (dealerCall) for dynamic authentication.
    if (module === 'auth/router/index.ts') continue;
    for (const dep of deps) if (dep.startsWith('router/')) offenders.push(`${module} -> ${dep}`);
  }
  assert.deepEqual(offenders, []);
});

/** The packages (bare specifiers, `node:` built-ins left out) reachable from `entry` by static imports. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (module: string): void => {
    if (seen.has(module)) return;
    seen.add(module);
    const file = join(runtime, module);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) visit(relative(runtime, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
      else packages.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(spec)![1]!);
    }
  };
  visit(entry);
  return packages;
}

test('@noble/ciphers, an optional peer dependency, is reached only from wampkit/cryptobox', () => {
  // runtime/package.json lists it under peerDependencies (optional): an entry that imported it
  // would fail to load in a project that did not install it.
  const pkg = JSON.parse(readFileSync(join(runtime, 'package.json'), 'utf8')) as {
    exports: Record<string, { '@wampkit/source'?: string } | string>;
    dependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };
  assert.equal(pkg.dependencies['@noble/ciphers'], undefined);
  assert.equal(pkg.peerDependenciesMeta['@noble/ciphers']?.optional, true);
  assert.ok(packagesReached('cryptobox.ts').has('@noble/ciphers'), 'the walk sees the import');
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const source = typeof target === 'string' ? undefined : target['@wampkit/source'];
    if (source === undefined || subpath === './cryptobox') continue;
    assert.ok(!packagesReached(source.replace(/^\.\//, '')).has('@noble/ciphers'), `${subpath} reaches @noble/ciphers`);
  }
});
