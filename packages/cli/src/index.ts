// Public API of @koenbert/cli: the `koenbert` command as a function (for tests and embedding).
export { main, buildProgram, EXIT } from './main';
export type { CliIo, OutputStream } from './io';
export { RunConfigSchema, RUN_MODELS, type RunConfig } from './commands/run-config';
export { runLayout, OFFLINE_CONFIG } from './commands/run';
export { addSchemaOptions, collectOverrides, type SchemaOption } from './commands/schema-options';
export { ProgressRenderer, type ProgressRendererParams } from './render/progress-renderer';
export { packageVersions, modelSummary } from './commands/info';
export { optionsTable } from './render/options-table';
