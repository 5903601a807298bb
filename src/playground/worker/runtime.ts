// One learner program in its worker, run like Node runs a file: compiled, called as an
// async function, its errors printed as Node prints them, and its end decided as Node's
// event loop decides it.
//
// When it ends: the program exits (code process.exitCode ?? 0) once its top level has
// finished and nothing can call it back any more: no referenced timer pending and no
// AMQP connection open (an open connection is an open socket in Node, so a consumer runs
// until stopped). If nothing is pending while the top level still awaits, it can never
// resume: Node calls that an unsettled top-level await and exits with 13.

import { Buffer } from 'buffer';
import * as client from '../../client/index.ts';
import { messagePortTransport } from '../../client/message-port.ts';
import { setTransportFactory } from '../../client/transport.ts';
import type { FromWorker } from '../protocol.ts';
import { compile, instantiate, SourceSyntaxError } from './compile.ts';
import { createConsole } from './console.ts';
import { format, inspect, type InspectOptions } from './inspect.ts';
import { createProcess, type ProgramProcess } from './process.ts';
import { mapStack } from './stack.ts';
import { createTimers, type Timers } from './timers.ts';

/** Thrown by process.exit() to unwind the program; never reported. */
const EXIT = Symbol('process.exit');

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

export class Program {
  readonly #post: Post;
  readonly #filename: string;
  readonly #offset: number;
  readonly #process: ProgramProcess;
  readonly #timers: Timers;
  readonly #console: Console;
  readonly #inspectOptions: InspectOptions;
  #connections = 0;
  #mainDone = false;
  #exiting = false;
  #exited = false;
  #checkQueued = false;
  #marked = false;

  constructor(post: Post, filename: string, args: string[], offset: number) {
    this.#post = post;
    this.#filename = filename;
    this.#offset = offset;
    this.#inspectOptions = { stackOf: (error) => this.#stackOf(error) };
    this.#process = createProcess(filename, args, {
      write: (stream, text) => this.#write(stream, text),
      exit: (code) => {
        this.#finish(code);
        throw EXIT;
      },
    });
    this.#timers = createTimers({ changed: () => this.#checkSoon() });
    this.#console = createConsole((stream, text) => this.#write(stream, text), this.#inspectOptions);
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Compiles and starts the program. */
  start(code: string): void {
    (globalThis as { Buffer?: unknown }).Buffer = Buffer;
    setTransportFactory(() => this.#openTransport());
    let body: string;
    let main: (...scope: unknown[]) => Promise<unknown>;
    try {
      body = compile(code, this.#filename);
      main = instantiate(body);
    } catch (error) {
      this.#syntaxError(error, code);
      return;
    }
    const module = { exports: {} as unknown };
    const t = this.#timers;
    // The order of compile.ts's SCOPE.
    const running = main(
      (name: string) => this.#require(name),
      module,
      module.exports,
      `/playground/${this.#filename}`,
      '/playground',
      this.#process,
      Buffer,
      this.#console,
      t.setTimeout, t.clearTimeout, t.setInterval, t.clearInterval, t.setImmediate, t.clearImmediate,
    );
    running.then(
      () => {
        this.#mainDone = true;
        this.#checkSoon();
      },
      (error: unknown) => {
        this.#mainDone = true;
        if (error !== EXIT) this.uncaught(error, true);
      },
    );
    // A top level that awaits what nothing can bring is only noticed by a check.
    this.#checkSoon();
  }

  /** Ctrl+C from the page. */
  signal(name: 'SIGINT'): void {
    if (this.#exited) return;
    this.#post({ type: 'signal-received' });
    if (this.#process.listenerCount(name) === 0) {
      this.#finish(130);
      return;
    }
    try {
      this.#process.emit(name, name);
    } catch (error) {
      if (error !== EXIT) this.uncaught(error, false);
    }
  }

  /** An exception nothing caught, or a rejection nothing handled: printed, then exit 1, as in Node. */
  uncaught(error: unknown, fromPromise: boolean): void {
    if (this.#exited || error === EXIT) return;
    const event = fromPromise ? 'unhandledRejection' : 'uncaughtException';
    if (this.#process.listenerCount(event) > 0) {
      try {
        this.#process.emit(event, error);
      } catch (again) {
        if (again !== EXIT) this.#die(again);
      }
      return;
    }
    if (fromPromise && !(error instanceof Error)) {
      const reason = inspect(error, this.#inspectOptions);
      this.#write(
        'stderr',
        `[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${reason}".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}\n`,
      );
      this.#finish(1);
      return;
    }
    this.#die(error);
  }

  #die(error: unknown): void {
    this.#write('stderr', `${inspect(error, this.#inspectOptions)}\n`);
    if (error instanceof Error) {
      const top = mapStack(error.stack ?? '', this.#filename, this.#offset).top;
      if (top !== undefined) {
        this.#mark(`${error.name}: ${error.message}`, top.line, top.column);
        this.#post({ type: 'note', text: `${error.name} thrown at line ${top.line} of ${this.#filename}.` });
      }
    }
    this.#finish(1);
  }

  #syntaxError(error: unknown, code: string): void {
    if (error instanceof SourceSyntaxError) {
      const source = code.split('\n')[error.line - 1] ?? '';
      const caret = `${' '.repeat(Math.max(0, error.column - 1))}^`;
      this.#write('stderr', `${this.#filename}:${error.line}\n${source}\n${caret}\n\nSyntaxError: ${error.message}\n`);
      this.#mark(`SyntaxError: ${error.message}`, error.line, error.column);
      this.#post({ type: 'note', text: `Syntax error at line ${error.line}, column ${error.column} of ${this.#filename}: the program did not start.` });
    } else {
      // The engine refused what sucrase accepted: it gives no position; the editor's own
      // check underlines the place.
      this.#write('stderr', `${this.#filename}\n\n${String(error)}\n`);
      this.#post({ type: 'note', text: `Syntax error in ${this.#filename}: the program did not start (see the red underline in the editor).` });
    }
    this.#finish(1);
  }

  #mark(message: string, line: number, column: number): void {
    if (this.#marked) return; // the first failure is the one to fix
    this.#marked = true;
    this.#post({ type: 'problem', message, line, column });
  }

  #stackOf(error: Error): string {
    const stack = typeof error.stack === 'string' && error.stack !== '' ? error.stack : `${error.name}: ${error.message}`;
    return mapStack(stack, this.#filename, this.#offset).text;
  }

  #write(stream: 'stdout' | 'stderr', text: string): void {
    if (!this.#exited) this.#post({ type: 'output', stream, text });
  }

  #require(name: string): unknown {
    const id = name.startsWith('node:') ? name.slice(5) : name;
    switch (id) {
      case 'amqplib':
      case 'amqplib/channel_api':
      case 'amqplib/channel_api.js':
        return { __esModule: true, ...client };
      case 'buffer':
        return { __esModule: true, Buffer, default: { Buffer } };
      case 'process':
        return this.#process;
      case 'util': {
        const util = { format: (...args: unknown[]) => format(args, this.#inspectOptions), inspect: (v: unknown) => inspect(v, this.#inspectOptions) };
        return { __esModule: true, ...util, default: util };
      }
      case 'timers/promises': {
        const p = this.#timers.promises;
        return { __esModule: true, ...p, default: p };
      }
      case 'timers': {
        const t = this.#timers;
        const timers = { setTimeout: t.setTimeout, clearTimeout: t.clearTimeout, setInterval: t.setInterval, clearInterval: t.clearInterval, setImmediate: t.setImmediate, clearImmediate: t.clearImmediate };
        return { __esModule: true, ...timers, default: timers };
      }
    }
    const error = new Error(
      `Cannot find module '${name}'\nRequire stack:\n- /playground/${this.#filename}\n(The playground provides amqplib, buffer, process, util, timers and timers/promises.)`,
    ) as Error & { code: string };
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }

  /** amqp.connect() in the program: a new MessageChannel, one end for the page's broker. */
  #openTransport() {
    const channel = new MessageChannel();
    this.#post({ type: 'connect' }, [channel.port2]);
    const transport = messagePortTransport(channel.port1);
    this.#connections++;
    transport.onClose(() => {
      this.#connections--;
      this.#checkSoon();
    });
    return transport;
  }

  #checkSoon(): void {
    if (this.#checkQueued || this.#exited) return;
    this.#checkQueued = true;
    // A macrotask later: promise reactions to what just happened run first.
    setTimeout(() => {
      this.#checkQueued = false;
      this.#check();
    }, 0);
  }

  #check(): void {
    if (this.#exited || this.#connections > 0 || this.#timers.live.size > 0) return;
    if (this.#mainDone) {
      this.#finish(this.#process.exitCode ?? 0);
      return;
    }
    this.#write('stderr', `Warning: Detected unsettled top-level await in ${this.#filename}: it waits for something that can no longer happen.\n`);
    this.#finish(13);
  }

  /** Runs 'exit' listeners, then tells the page; the page ends the worker. */
  #finish(code: number): void {
    if (this.#exiting) return;
    this.#exiting = true;
    try {
      this.#process.emit('exit', code);
    } catch {
      // An exit listener that throws or exits again changes nothing.
    }
    this.#exited = true;
    this.#post({ type: 'exit', code });
  }
}
