/**
 * wampgen as an esbuild plugin (`wampgen/esbuild`): generates when a build starts
 * (every rebuild, in watch mode, regenerates first and writes only changed files); a schema
 * error fails the build with each diagnostic as an esbuild error at its file, line and column.
 *
 *   import { wampgen } from 'wampgen/esbuild';
 *   await esbuild.build({ entryPoints: ['src/main.ts'], bundle: true, plugins: [wampgen({ inputs: ['schemas'], outDir: 'src/generated' })] });
 *
 * Typed structurally, so this module needs no `esbuild` import.
 */
import type { GenerateOptions } from './config.js';
import { Generator } from './generate.js';

/** An esbuild message (the fields the plugin fills). */
export interface EsbuildMessage {
  id: string;
  text: string;
  location: { file: string; line: number; column: number; lineText: string };
  notes: { text: string }[];
}

export interface WampgenEsbuildPlugin {
  readonly name: 'wampgen';
  setup(build: { onStart(callback: () => { errors: EsbuildMessage[] } | undefined): void }): void;
}

export function wampgen(options: GenerateOptions): WampgenEsbuildPlugin {
  const generator = new Generator(options);
  return {
    name: 'wampgen',
    setup(build) {
      build.onStart(() => {
        const result = generator.run();
        if (result.ok) return undefined;
        // esbuild's columns are 0-based; wampgen's, like the compiler's, 1-based.
        return {
          errors: result.diagnostics.map((d) => ({
            id: d.code, text: `${d.code}: ${d.message}`,
            location: { file: d.file, line: d.line, column: Math.max(0, d.column - 1), lineText: '' },
            notes: [{ text: `hint: ${d.hint}` }],
          })),
        };
      });
    },
  };
}
