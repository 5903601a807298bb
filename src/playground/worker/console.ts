// The `console` learner programs see: Node's methods, written to the program's stdout
// (log, info, debug, dir, table, timeLog...) or stderr (error, warn, trace, assert).

import { format, inspect, type InspectOptions } from './inspect.ts';

type Write = (stream: 'stdout' | 'stderr', text: string) => void;

export function createConsole(write: Write, options: InspectOptions): Console {
  let indent = '';
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const out = (stream: 'stdout' | 'stderr', args: unknown[]) => {
    const text = format(args, options);
    write(stream, `${indent === '' ? text : text.split('\n').map((l) => indent + l).join('\n')}\n`);
  };
  const elapsed = (label: string): string | undefined => {
    const start = timers.get(label);
    if (start === undefined) {
      out('stderr', [`Warning: No such label '${label}' for console.timeEnd()`]);
      return undefined;
    }
    const ms = performance.now() - start;
    return ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`;
  };
  const api = {
    log: (...args: unknown[]) => out('stdout', args),
    info: (...args: unknown[]) => out('stdout', args),
    debug: (...args: unknown[]) => out('stdout', args),
    error: (...args: unknown[]) => out('stderr', args),
    warn: (...args: unknown[]) => out('stderr', args),
    dir: (value: unknown) => out('stdout', [inspect(value, options)]),
    table: (...args: unknown[]) => out('stdout', args),
    trace: (...args: unknown[]) => {
      const error = new Error(format(args, options));
      error.name = 'Trace';
      out('stderr', [options.stackOf?.(error) ?? error.stack]);
    },
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) out('stderr', args.length === 0 ? ['Assertion failed'] : [`Assertion failed: ${format(args, options)}`]);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      out('stdout', [`${label}: ${n}`]);
    },
    countReset: (label = 'default') => void counts.delete(label),
    time: (label = 'default') => void timers.set(label, performance.now()),
    timeLog: (label = 'default', ...args: unknown[]) => {
      const t = elapsed(label);
      if (t !== undefined) out('stdout', [`${label}: ${t}`, ...args]);
    },
    timeEnd: (label = 'default') => {
      const t = elapsed(label);
      timers.delete(label);
      if (t !== undefined) out('stdout', [`${label}: ${t}`]);
    },
    group: (...args: unknown[]) => {
      if (args.length > 0) out('stdout', args);
      indent += '  ';
    },
    groupCollapsed: (...args: unknown[]) => api.group(...args),
    groupEnd: () => void (indent = indent.slice(2)),
    clear: () => undefined,
  };
  return api as unknown as Console;
}
