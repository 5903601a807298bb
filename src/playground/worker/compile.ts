// Learner source -> the body of an async function. Sucrase strips types and turns imports
// into require() calls while keeping every line where it was, so a line in the generated
// function is a line in the editor once the wrapper's own lines are taken off.

import { transform } from 'sucrase';

/** A syntax error at a place in the learner's source (1-based line and column). */
export class SourceSyntaxError extends SyntaxError {
  override name = 'SyntaxError';
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

/** What the compiled body may use as if it were global: a CommonJS module's scope, plus timers the runner tracks. */
export const SCOPE = [
  'require', 'module', 'exports', '__filename', '__dirname', 'process', 'Buffer', 'console',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
] as const;

/** The name stack traces give the learner's file; kept apart from the bundle's own URLs. */
export function scriptUrl(filename: string): string {
  return `warren-program:///${filename}`;
}

function isTypeScript(filename: string): boolean {
  return /\.[cm]?tsx?$/.test(filename);
}

/** Transforms `code`; throws SourceSyntaxError with the source position when it cannot be parsed. */
export function compile(code: string, filename: string): string {
  let body: string;
  try {
    body = transform(code, {
      transforms: isTypeScript(filename) ? ['typescript', 'imports'] : ['imports'],
      filePath: filename,
      // Modern syntax runs as written: only types and module syntax change.
      disableESTransforms: true,
    }).code;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    if (loc === undefined) throw error;
    // Sucrase adds "Error transforming <file>: " and "(line:column)"; both are reported apart.
    const message = (error as Error).message.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '');
    throw new SourceSyntaxError(message, loc.line, loc.column);
  }
  return `${body}\n//# sourceURL=${scriptUrl(filename)}`;
}

// eslint-disable-next-line @typescript-eslint/no-empty-function
const AsyncFunction = (async function () {}).constructor as new (...paramsAndBody: string[]) => (...args: unknown[]) => Promise<unknown>;

/** The program as a function of its scope (SCOPE's order); throws SyntaxError for what sucrase let through. */
export function instantiate(body: string): (...scope: unknown[]) => Promise<unknown> {
  return new AsyncFunction(...SCOPE, body);
}

let offset: number | undefined;

/**
 * How many lines the engine puts before the body of a `new AsyncFunction` (V8: 2, the
 * "(async function anonymous(" header and the parameter list's line). Measured once.
 */
export async function wrapperOffset(): Promise<number> {
  if (offset !== undefined) return offset;
  const probe = new AsyncFunction('throw new Error("probe")\n//# sourceURL=warren-probe.js');
  try {
    await probe();
  } catch (error) {
    const match = /warren-probe\.js:(\d+):\d+/.exec(String((error as Error).stack));
    offset = match === null ? 0 : Number(match[1]) - 1;
  }
  return offset ?? 0;
}
