/**
 * Which build of our engine the bench measures. By default the runtime is compiled with tsc
 * into a temporary directory first, because that is what users run: under tsx (esbuild with
 * keepNames) every arrow-function class field gets a `name` redefined on it, which puts the
 * function's properties in dictionary mode and costs ~2.6 KiB per idle connection that no
 * production build has. `--source` measures the TypeScript sources through tsx instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ClientModule = typeof import('../../runtime/websocket/client.js');
export type ServerModule = typeof import('../../runtime/websocket/server.js');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles `root`'s runtime/ (default: this tree's) with tsc into a fresh temp dir's runtime/;
 * returns the directory holding runtime/. A tree from before npm workspaces (a `--baseline`
 * revision) has its build config at the top (tsconfig.build.json) instead of
 * runtime/tsconfig.build.json.
 */
export function compileRuntime(root: string = ROOT): string {
  const out = mkdtempSync(join(tmpdir(), 'wampkit-bench-'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere in the tree (work in progress) must not stop the bench: tsc still
  // emits, and what matters is that the engine's files are there.
  const workspace = existsSync(join(root, 'runtime', 'tsconfig.build.json'));
  const [config, outDir] = workspace ? [join(root, 'runtime', 'tsconfig.build.json'), join(out, 'runtime')] : [join(root, 'tsconfig.build.json'), out];
  spawnSync(process.execPath, [tsc, '-p', config, '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: root,
    stdio: 'ignore',
    timeout: 180_000,
  });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  // The accelerator loads the native NVX binary from its package (@wampkit/nvx-<platform>-<arch>
  // in node_modules): link the repository's node_modules, so the compiled engine runs with the
  // same kernel as the sources do.
  if (existsSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  if (!existsSync(join(out, 'runtime', 'websocket', 'server.js'))) throw new Error(`tsc did not emit the runtime into ${out}`);
  return out;
}

/** The engine's modules from a compiled dir, or from the sources when `dir` is null. */
export async function loadEngine(dir: string | null): Promise<{ client: ClientModule; server: ServerModule }> {
  if (dir === null) {
    return { client: await import('../../runtime/websocket/client.js'), server: await import('../../runtime/websocket/server.js') };
  }
  const at = (file: string): string => pathToFileURL(join(dir, 'runtime', 'websocket', file)).href;
  return { client: (await import(at('client.js'))) as ClientModule, server: (await import(at('server.js'))) as ServerModule };
}

/**
 * The runtime as it was at git revision `ref` (`--baseline main`, `--baseline HEAD~3`), or in
 * the checkout at path `ref`, compiled like ours: a before/after comparison in one run, on the
 * same machine at the same time.
 * Returns the compiled dir; the checkout it was made from is removed.
 */
export function compileBaseline(ref: string): string {
  // A directory is taken as a checkout as it is (a tree with an experiment applied, say).
  if (existsSync(join(ref, 'runtime', 'tsconfig.build.json')) || (existsSync(join(ref, 'runtime')) && existsSync(join(ref, 'tsconfig.build.json')))) {
    return compileRuntime(ref);
  }
  const checkout = mkdtempSync(join(tmpdir(), 'wampkit-baseline-src-'));
  try {
    // Before npm workspaces the build config was at the top; git archive refuses a missing path.
    const topBuild = spawnSync('git', ['-C', ROOT, 'cat-file', '-e', `${ref}:tsconfig.build.json`]).status === 0;
    const paths = ['runtime', 'tsconfig.json', 'package.json', ...(topBuild ? ['tsconfig.build.json'] : [])];
    const archive = spawnSync('git', ['-C', ROOT, 'archive', '--format=tar', ref, ...paths], {
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    });
    if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr.toString().trim()}`);
    const untar = spawnSync('tar', ['-x', '-C', checkout], { input: archive.stdout, timeout: 60_000 });
    if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString().trim()}`);
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    return compileRuntime(checkout);
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

/** `--baseline REF` from argv, or null. */
export function baselineRef(args: readonly string[]): string | null {
  const at = args.indexOf('--baseline');
  if (at < 0) return null;
  const ref = args[at + 1];
  if (ref === undefined || ref.startsWith('--')) throw new Error('--baseline takes a git revision (main, HEAD~2, a commit)');
  return ref;
}
