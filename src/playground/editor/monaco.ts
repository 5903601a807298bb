// Monaco with only the TypeScript and JavaScript languages and their language service;
// its workers are bundled by Vite (`?worker`). Loaded only when a playground mounts.
//
// Every editor feature is imported here, up front: Monaco 0.57's TypeScript support
// imports them all anyway (internal/common/workers.js, when its language service starts),
// and features registered after the first editor exists find their services missing
// ("depends on UNKNOWN service ICodeLensCache"). So cutting features saves no bytes.

import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/register.all.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import { javascriptDefaults, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import TypeScriptWorker from 'monaco-editor/language/typescript/ts.worker.js?worker';
import { AMQPLIB_TYPES } from './amqplib-types.ts';
import { GLOBALS_TYPES } from './globals-types.ts';

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_moduleId: string, label: string): Worker {
    return label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker();
  },
};

// What a learner program runs in: a module (top-level await, no clashes between files),
// the ES2023 library, the client's types as the 'amqplib' package, and Node's globals.
const compilerOptions = {
  target: 99, // ESNext
  module: 99, // ESNext
  moduleResolution: 2, // Node: finds file:///node_modules/amqplib/index.d.ts
  moduleDetection: 3, // force: every file is a module
  lib: ['lib.es2023.d.ts', 'lib.webworker.d.ts'],
  strict: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  allowJs: true,
  checkJs: false,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

for (const defaults of [typescriptDefaults, javascriptDefaults]) {
  defaults.setCompilerOptions(compilerOptions);
  defaults.setEagerModelSync(true);
  for (const [path, content] of Object.entries(AMQPLIB_TYPES)) defaults.addExtraLib(content, `file:///node_modules/amqplib/${path}`);
  defaults.addExtraLib(GLOBALS_TYPES, 'file:///node_modules/@types/warren-globals/index.d.ts');
}
// JavaScript files get syntax errors, completion and hovers, but not type errors (as in VS Code).
javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });

export { monaco };
