/** Shared helpers for the wampgen tests: temp dirs that resolve 'wampkit' and 'zod'. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A temp dir whose node_modules holds the repo's dependencies plus `wampkit` itself, so schemas
 * can import 'wampkit/codegen/schema' and generated code can import 'wampkit' and 'zod'.
 */
export function tempProject(files: Record<string, string> = {}): { dir: string; write: (path: string, text: string) => string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wampgen-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'node_modules', 'wampkit'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const write = (path: string, text: string): string => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return { dir, write, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
