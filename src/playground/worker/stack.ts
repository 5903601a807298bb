// Stack traces in the learner's terms: frames in their program get its file name and
// source line (the generated function's line minus the wrapper's offset); frames inside
// the runner, the client or the engine are left out, as if they were Node's internals.

import { scriptUrl } from './compile.ts';

/** One frame of the learner's program: 1-based line and column in the source. */
export interface SourceFrame {
  line: number;
  column: number;
}

export interface MappedStack {
  /** The stack to print: the message line(s), then only the learner's frames. */
  text: string;
  /** The innermost learner frame, if the error passed through the program. */
  top: SourceFrame | undefined;
}

const FRAME = /^\s+at /;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites `stack` (V8's format) for the program `filename` whose wrapper adds `offset` lines. */
export function mapStack(stack: string, filename: string, offset: number): MappedStack {
  const url = scriptUrl(filename);
  const location = new RegExp(`${escapeRegExp(url)}:(\\d+):(\\d+)`);
  const lines = stack.split('\n');
  const out: string[] = [];
  let top: SourceFrame | undefined;
  for (const line of lines) {
    if (!FRAME.test(line)) {
      out.push(line);
      continue;
    }
    const match = location.exec(line);
    if (match === null) continue;
    const frame = { line: Number(match[1]) - offset, column: Number(match[2]) };
    top ??= frame;
    const where = `${filename}:${frame.line}:${frame.column}`;
    // "at anonymous (url:l:c)" is the program's top level: Node prints just the place.
    const name = /^\s+at (async )?(.*?) \(/.exec(line);
    const fn = name?.[2];
    const prefix = name?.[1] ?? '';
    out.push(fn === undefined || fn === 'anonymous' || fn === 'eval' ? `    at ${prefix}${where}` : `    at ${prefix}${fn} (${where})`);
  }
  return { text: out.join('\n'), top };
}
