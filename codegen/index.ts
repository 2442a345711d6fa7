/**
 * wampgen: the programmatic API of the generator, for build tools (the bundler plugins are
 * 'wampgen/vite' and 'wampgen/esbuild'). Schema authors import the helper types from
 * 'wampkit/codegen/schema' instead (types only, no ts-morph).
 */
export { generate, Generator, type GenerateResult } from './generate.js';
export { ConfigError, type GenerateOptions, type ConfigFile } from './config.js';
export { DIAGNOSTIC, formatDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
export { watchSchemas, type Watcher } from './watch.js';
export { main as runCli, EXIT } from './cli.js';
export type { Serializer } from './model.js';
