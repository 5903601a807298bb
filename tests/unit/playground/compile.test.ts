// Compiled programs keep their lines: a runtime error maps back to the line in the editor,
// a syntax error names its line and column.
import { describe, expect, it } from 'vitest';
import { compile, instantiate, SCOPE, SourceSyntaxError, wrapperOffset } from '../../../src/playground/worker/compile.ts';
import { mapStack } from '../../../src/playground/worker/stack.ts';

async function errorOf(code: string, filename: string): Promise<Error> {
  const main = instantiate(compile(code, filename));
  try {
    await main(...SCOPE.map(() => undefined));
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the program to throw');
}

describe('compile', () => {
  it('strips types and turns imports into require calls, line for line', () => {
    const body = compile("import amqp from 'amqplib';\nconst q: string = 'hello';\ninterface X { a: number }\nconsole.log(q as string, amqp);\n", 'send.ts');
    const lines = body.split('\n');
    expect(lines[0]).toContain("require('amqplib')");
    expect(lines[1]).toBe("const q = 'hello';");
    expect(lines[3]).toContain('console.log(q');
    expect(body).toContain('//# sourceURL=warren-program:///send.ts');
  });

  it('leaves JavaScript as it is, apart from module syntax', () => {
    const body = compile("const amqp = require('amqplib');\nconst x = a?.b ?? 1;\n", 'send.js');
    expect(body).toContain('a?.b ?? 1');
  });

  it('reports a syntax error at its line and column', () => {
    expect(() => compile('const ok = 1;\nconst x = {\n  a: 1\n  b: 2 };\n', 'broken.ts')).toThrow(SourceSyntaxError);
    try {
      compile('const ok = 1;\n\nfunction (', 'broken.ts');
    } catch (error) {
      expect(error).toBeInstanceOf(SourceSyntaxError);
      expect((error as SourceSyntaxError).line).toBe(3);
      expect((error as SourceSyntaxError).column).toBe(10);
      expect((error as SourceSyntaxError).message).toBe('Unexpected token');
    }
  });
});

describe('stack traces in the learner\'s lines', () => {
  it('maps a throw at top level to its source line and drops the runner\'s frames', async () => {
    const offset = await wrapperOffset();
    const error = await errorOf("import amqp from 'amqplib';\nconst a: number = 1;\n\nthrow new Error('boom');\n", 'send.ts');
    const mapped = mapStack(error.stack!, 'send.ts', offset);
    expect(mapped.top).toEqual({ line: 4, column: expect.any(Number) });
    expect(mapped.text.split('\n')[0]).toBe('Error: boom');
    expect(mapped.text).toMatch(/^ {4}at send\.ts:4:\d+$/m);
    expect(mapped.text).not.toContain('node_modules');
    expect(mapped.text).not.toContain('compile.test');
  });

  it('keeps the names of the learner\'s functions', async () => {
    const offset = await wrapperOffset();
    const error = await errorOf('function work(task: string) {\n  return task.toUpperCase();\n}\nwork(undefined as any);\n', 'worker.ts');
    const mapped = mapStack(error.stack!, 'worker.ts', offset);
    expect(mapped.top?.line).toBe(2);
    expect(mapped.text).toMatch(/at work \(worker\.ts:2:\d+\)/);
    expect(mapped.text).toMatch(/at worker\.ts:4:\d+/);
  });

  it('has no frame for an error made outside the program', () => {
    const mapped = mapStack('Error: x\n    at Connection.y (http://127.0.0.1/_astro/runner.js:1:2)', 'send.ts', 2);
    expect(mapped).toEqual({ text: 'Error: x', top: undefined });
  });
});
