// The `process` learner programs see: argv, env, exit, exitCode, stdout/stderr.write,
// nextTick and signal listeners (Stop sends SIGINT, as Ctrl+C does in a terminal).

type ProcessListener = (...args: unknown[]) => void;

export interface ProcessHost {
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Ends the program now; never returns. */
  exit(code: number): never;
}

export interface ProgramProcess {
  argv: string[];
  argv0: string;
  env: Record<string, string | undefined>;
  exitCode: number | undefined;
  readonly platform: string;
  readonly version: string;
  readonly versions: Record<string, string>;
  readonly pid: number;
  readonly stdout: { write(text: unknown): boolean; isTTY: boolean };
  readonly stderr: { write(text: unknown): boolean; isTTY: boolean };
  cwd(): string;
  exit(code?: number): never;
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void;
  hrtime: { bigint(): bigint };
  uptime(): number;
  on(event: string, listener: ProcessListener): ProgramProcess;
  addListener(event: string, listener: ProcessListener): ProgramProcess;
  once(event: string, listener: ProcessListener): ProgramProcess;
  off(event: string, listener: ProcessListener): ProgramProcess;
  removeListener(event: string, listener: ProcessListener): ProgramProcess;
  removeAllListeners(event?: string): ProgramProcess;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

function text(chunk: unknown): string {
  return chunk instanceof Uint8Array ? new TextDecoder().decode(chunk) : String(chunk);
}

let nextPid = 4200;

export function createProcess(filename: string, args: string[], host: ProcessHost): ProgramProcess {
  const listeners = new Map<string, { fn: ProcessListener; once: boolean }[]>();
  const started = performance.now();
  const add = (event: string, fn: ProcessListener, once: boolean): ProgramProcess => {
    listeners.set(event, [...(listeners.get(event) ?? []), { fn, once }]);
    return proc;
  };
  const remove = (event: string, fn: ProcessListener): ProgramProcess => {
    const list = listeners.get(event) ?? [];
    const i = list.findLastIndex((l) => l.fn === fn);
    if (i >= 0) listeners.set(event, list.toSpliced(i, 1));
    return proc;
  };
  const proc: ProgramProcess = {
    argv: ['/usr/local/bin/node', `/playground/${filename}`, ...args],
    argv0: 'node',
    env: {},
    exitCode: undefined,
    platform: 'linux',
    version: 'v24.0.0',
    versions: { node: '24.0.0' },
    pid: nextPid++,
    stdout: { write: (chunk) => (host.write('stdout', text(chunk)), true), isTTY: false },
    stderr: { write: (chunk) => (host.write('stderr', text(chunk)), true), isTTY: false },
    cwd: () => '/playground',
    exit: (code) => host.exit(code ?? proc.exitCode ?? 0),
    nextTick: (fn, ...rest) => queueMicrotask(() => fn(...rest)),
    hrtime: { bigint: () => BigInt(Math.round(performance.now() * 1e6)) },
    uptime: () => (performance.now() - started) / 1000,
    on: (event, fn) => add(event, fn, false),
    addListener: (event, fn) => add(event, fn, false),
    once: (event, fn) => add(event, fn, true),
    off: remove,
    removeListener: remove,
    removeAllListeners: (event) => {
      if (event === undefined) listeners.clear();
      else listeners.delete(event);
      return proc;
    },
    listenerCount: (event) => listeners.get(event)?.length ?? 0,
    emit: (event, ...rest) => {
      const list = listeners.get(event) ?? [];
      if (list.length === 0) return false;
      listeners.set(event, list.filter((l) => !l.once));
      for (const l of list) l.fn(...rest);
      return true;
    },
  };
  return proc;
}
