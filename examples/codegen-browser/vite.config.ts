/** `npx vite build` here: wampgen runs at build start (and on schema changes under `vite`). */
import { defaultClientConditions, defineConfig } from 'vite';
import { wampgen } from 'wampgen/vite';

export default defineConfig({
  plugins: [wampgen({ inputs: ['schema'], outDir: 'generated', cwd: import.meta.dirname })],
  // In this repository wampkit resolves to its TypeScript sources; an installed wampkit needs no conditions.
  resolve: { conditions: ['@wampkit/source', ...defaultClientConditions] },
});
