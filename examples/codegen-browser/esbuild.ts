/** `tsx esbuild.ts` here: bundles main.ts for the browser, generating the stubs first. */
import { build } from 'esbuild';
import { wampgen } from 'wampgen/esbuild';

await build({
  absWorkingDir: import.meta.dirname,
  entryPoints: ['main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outdir: 'dist',
  // In this repository wampkit resolves to its TypeScript sources; an installed wampkit needs no conditions.
  conditions: ['@wampkit/source'],
  plugins: [wampgen({ inputs: ['schema'], outDir: 'generated', cwd: import.meta.dirname })],
});
