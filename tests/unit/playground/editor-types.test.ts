// What the editor knows: the generated amqplib declarations are current, and the example
// programs type-check against them and the playground's globals, as Monaco checks them
// (same declarations and options; the repo's TypeScript stands in for Monaco's).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AMQPLIB_TYPES } from '../../../src/playground/editor/amqplib-types.ts';
import { generateAmqplibTypes, OUTPUT, renderModule } from '../../../src/playground/editor/gen-amqplib-types.ts';
import { GLOBALS_TYPES } from '../../../src/playground/editor/globals-types.ts';
import { exercise, helloWorld, workQueues } from '../../../src/playground/examples.ts';

function diagnose(programs: Record<string, string>): string[] {
  const files = new Map<string, string>();
  for (const [path, text] of Object.entries(AMQPLIB_TYPES)) files.set(`/node_modules/amqplib/${path}`, text);
  files.set('/node_modules/@types/warren-globals/index.d.ts', GLOBALS_TYPES);
  for (const [name, text] of Object.entries(programs)) files.set(`/playground/${name}`, text);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ['lib.es2023.d.ts', 'lib.webworker.d.ts'],
    strict: true,
    esModuleInterop: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const libDir = dirname(ts.getDefaultLibFilePath(options));
  const host: ts.CompilerHost = {
    getSourceFile: (name, version) => {
      const text = files.get(name) ?? (name.startsWith(libDir) ? readFileSync(name, 'utf8') : undefined);
      return text === undefined ? undefined : ts.createSourceFile(name, text, version);
    },
    getDefaultLibFileName: () => join(libDir, 'lib.d.ts'),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => '/playground',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => files.has(name) || (name.startsWith(libDir) && ts.sys.fileExists(name)),
    readFile: (name) => files.get(name) ?? (name.startsWith(libDir) ? ts.sys.readFile(name) : undefined),
    directoryExists: (name) => [...files.keys()].some((f) => f.startsWith(`${name}/`)) || name.startsWith(libDir),
    getDirectories: () => [],
  };
  const roots = ['/node_modules/@types/warren-globals/index.d.ts', ...Object.keys(programs).map((n) => `/playground/${n}`)];
  const program = ts.createProgram(roots, options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('the editor\'s amqplib types', () => {
  it('are generated from the current client (run gen-amqplib-types.ts if this fails)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(renderModule(generateAmqplibTypes()));
  });

  it('type-check the example programs and solutions without a single error', () => {
    const programs = Object.fromEntries([
      ...[...helloWorld, ...workQueues, ...exercise].map((p) => [p.name, p.starter]),
      ...exercise.map((p) => [`solution-${p.name}`, p.solution!]),
    ]);
    expect(diagnose(programs)).toEqual([]);
  });

  it('catch a wrong call, with the client\'s own words', () => {
    const errors = diagnose({
      'bad.ts': "import amqp from 'amqplib';\nconst c = await amqp.connect('amqp://localhost');\nconst ch = await c.createChannel();\nch.sendToQueue(42);\nch.asertQueue('q');\n",
    });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('Expected 2-3 arguments, but got 1');
    expect(errors[1]).toContain("Property 'asertQueue' does not exist on type 'Channel'. Did you mean 'assertQueue'?");
  });

  it('know Buffer, process, require and the Node modules the runner provides', () => {
    const errors = diagnose({
      'node.ts': [
        "import { setTimeout as sleep } from 'node:timers/promises';",
        "import { format } from 'util';",
        "const amqp = require('amqplib');",
        "const b: Buffer = Buffer.concat([Buffer.from('a'), Buffer.alloc(2)]);",
        "process.on('SIGINT', () => process.exit(0));",
        "await sleep(10);",
        "console.log(format('%s', b.toString('hex')), process.argv.slice(2), amqp.connect);",
      ].join('\n'),
    });
    expect(errors).toEqual([]);
  });
});
