// The docs hold together: relative links resolve, the index lists every guide, the examples
// page lists every example and names a test that really runs it, and the README's import
// table matches the package's exports.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort();

function filesUnder(dir: string, suffix: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) filesUnder(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

/** Markdown links outside code blocks: [text](target). */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('documentation links and indexes', () => {
  test('every relative link in README.md and docs/*.md points to a file that exists', () => {
    const broken: string[] = [];
    for (const page of ['README.md', ...docs.map((d) => `docs/${d}`)]) {
      for (const target of links(read(page))) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = target.split('#')[0]!;
        if (!existsSync(join(root, dirname(page), path))) broken.push(`${page} -> ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  test('every repository path a page names in backticks (runtime/…, test/…, …) exists', () => {
    const missing: string[] = [];
    for (const page of ['README.md', ...docs.map((d) => `docs/${d}`)]) {
      for (const m of read(page).matchAll(/`((?:runtime|codegen|native|test|bench|examples|schemas|scripts)\/[\w./-]+)`/g)) {
        if (!existsSync(join(root, m[1]!))) missing.push(`${page}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('docs/README.md links every guide in docs/', () => {
    const linked = new Set(links(read('docs/README.md')).map((l) => l.split('#')[0]));
    assert.deepEqual(docs.filter((d) => d !== 'README.md' && !linked.has(d)), []);
  });

  test('docs/examples.md lists every example, and each named test runs it', () => {
    const page = read('docs/examples.md');
    const examples = filesUnder('examples', '.ts');
    assert.ok(examples.length >= 10, `found ${examples.length} examples`);
    assert.deepEqual(examples.filter((e) => !page.includes(e)), [], 'examples missing from docs/examples.md');
    // Each table row: the command's program and the test named in the last column.
    const rows = [...page.matchAll(/^\| `(?:npx tsx ([^\s`]+)|npm run ([\w:]+))[^|]*\|[^|]*\| `(test\/[^`]+)`/gm)];
    // An app a bundler builds (`npx vite build examples/<app>`) is one example made of several files.
    const apps = [...page.matchAll(/^\| `npx vite build (examples\/[\w-]+)`[^|]*\|[^|]*\| `(test\/[^`]+)`/gm)];
    for (const [, dir, testFile] of apps) assert.ok(read(testFile!).includes(dir!.replace(/^examples\//, '')), `${testFile} builds ${dir}`);
    const programs = examples.filter((e) => !apps.some(([, dir]) => e.startsWith(`${dir}/`)));
    assert.ok(rows.length >= programs.length, `parsed ${rows.length} rows`);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const [, program, script, testFile] of rows) {
      assert.ok(existsSync(join(root, testFile!)), `${testFile} exists`);
      const testText = read(testFile!);
      if (program !== undefined) {
        assert.ok(testText.includes(program) || testText.includes(program.replace(/^examples\/[^/]+\//, '')), `${testFile} runs ${program}`);
      } else {
        assert.ok(scripts[script!] !== undefined, `package.json has the script ${script}`);
        const target = /scripts\/\S+\.ts/.exec(scripts[script!]!)?.[0];
        assert.ok(target !== undefined && existsSync(join(root, target)), `the ${script} script runs an existing file`);
        assert.ok(testText.includes(script!) || testText.includes(relative('scripts', target).replace(/\.ts$/, '')), `${testFile} runs ${script}`);
      }
    }
  });

  test("the README's import table lists exactly the library's export subpaths", () => {
    const exportsMap = (JSON.parse(read('runtime/package.json')) as { exports: Record<string, unknown> }).exports;
    const subpaths = Object.keys(exportsMap).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'wampkit' : `wampkit/${k.slice(2)}`)).sort();
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('| import | what |'));
    const listed = [...table.slice(0, table.indexOf('\n\n')).matchAll(/`(wampkit(?:\/[\w/]+)?)`/g)].map((m) => m[1]!);
    assert.deepEqual([...new Set(listed)].sort(), subpaths);
  });

  test('the quick start is two commands whose scripts exist', () => {
    const readme = read('README.md');
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block.trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    assert.deepEqual(commands, ['npm install && npm run demo', 'npm test']);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    assert.ok(scripts['demo'] !== undefined && scripts['test'] !== undefined && scripts['install'] !== undefined);
  });
});
