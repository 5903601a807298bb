// Node's globals and built-in modules as the playground provides them (see
// src/playground/worker/runtime.ts), declared for Monaco: Buffer, process, require,
// setImmediate, and the modules buffer, process, util, timers and timers/promises.
// console and setTimeout come from the web worker library, as they do at run time.

export const GLOBALS_TYPES = `
/** Raw bytes, as in Node (the 'buffer' package): a Uint8Array with text encodings. */
interface Buffer extends Uint8Array {
  /** The bytes as text: 'utf8' (the default), 'hex', 'base64', 'ascii', 'latin1' or 'utf16le'. */
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  /** { type: 'Buffer', data: [...] } */
  toJSON(): { type: 'Buffer'; data: number[] };
  /** True if both hold the same bytes. */
  equals(other: Uint8Array): boolean;
  /** A Buffer over the same memory, from start to end. */
  subarray(start?: number, end?: number): Buffer;
  /** Writes text into the buffer; returns the number of bytes written. */
  write(text: string, offset?: number, length?: number, encoding?: BufferEncoding): number;
  readUInt8(offset?: number): number;
  readUInt16BE(offset?: number): number;
  readUInt32BE(offset?: number): number;
  readInt32BE(offset?: number): number;
  writeUInt8(value: number, offset?: number): number;
  writeUInt16BE(value: number, offset?: number): number;
  writeUInt32BE(value: number, offset?: number): number;
  writeInt32BE(value: number, offset?: number): number;
}
type BufferEncoding = 'utf8' | 'utf-8' | 'hex' | 'base64' | 'ascii' | 'latin1' | 'binary' | 'ucs2' | 'ucs-2' | 'utf16le' | 'utf-16le';
interface BufferConstructor {
  /** Bytes from text (UTF-8 unless you name another encoding), an array of bytes, or other bytes (copied). */
  from(text: string, encoding?: BufferEncoding): Buffer;
  from(bytes: readonly number[] | Uint8Array): Buffer;
  from(buffer: ArrayBufferLike, byteOffset?: number, length?: number): Buffer;
  /** A zero-filled buffer of size bytes. */
  alloc(size: number, fill?: string | number, encoding?: BufferEncoding): Buffer;
  /** A buffer of size bytes, not initialised. */
  allocUnsafe(size: number): Buffer;
  /** One buffer holding all of them, in order. */
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  /** How many bytes the text takes in the encoding. */
  byteLength(text: string | ArrayBufferView | ArrayBuffer, encoding?: BufferEncoding): number;
  isBuffer(value: unknown): value is Buffer;
  isEncoding(encoding: string): encoding is BufferEncoding;
  compare(a: Uint8Array, b: Uint8Array): -1 | 0 | 1;
}
declare var Buffer: BufferConstructor;

interface NodeProcess {
  /** ['node', '/playground/<file>', ...the words in the Run box]: process.argv.slice(2) is what you typed. */
  argv: string[];
  argv0: string;
  /** Environment variables (empty in the playground). */
  env: Record<string, string | undefined>;
  /** The code the program exits with when it ends by itself. */
  exitCode: number | undefined;
  readonly platform: string;
  readonly version: string;
  readonly versions: Record<string, string>;
  readonly pid: number;
  /** Writes to the program's console. */
  readonly stdout: { write(text: string | Uint8Array): boolean; isTTY: boolean };
  /** Writes to the program's console, in red. */
  readonly stderr: { write(text: string | Uint8Array): boolean; isTTY: boolean };
  cwd(): string;
  /** Ends the program now with this exit code (default process.exitCode, else 0). */
  exit(code?: number): never;
  /** Runs fn after the current operation, before any timer or I/O. */
  nextTick(fn: (...args: any[]) => void, ...args: any[]): void;
  hrtime: { bigint(): bigint };
  /** Seconds since the program started. */
  uptime(): number;
  /** 'SIGINT' runs when you press Stop (Ctrl+C); 'exit' runs as the program ends. */
  on(event: 'SIGINT' | 'SIGTERM' | 'exit' | 'uncaughtException' | 'unhandledRejection' | (string & {}), listener: (...args: any[]) => void): this;
  once(event: 'SIGINT' | 'SIGTERM' | 'exit' | 'uncaughtException' | 'unhandledRejection' | (string & {}), listener: (...args: any[]) => void): this;
  addListener(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
  removeListener(event: string, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string): this;
  listenerCount(event: string): number;
  emit(event: string, ...args: any[]): boolean;
}
declare var process: NodeProcess;

declare function require(id: 'amqplib'): typeof import('amqplib');
declare function require(id: string): any;
declare var module: { exports: any };
declare var exports: any;
declare var __filename: string;
declare var __dirname: string;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): number;
declare function clearImmediate(handle: number | undefined): void;

declare module 'buffer' {
  export { Buffer };
}
declare module 'node:buffer' {
  export { Buffer };
}
declare module 'process' {
  const process: NodeProcess;
  export = process;
}
declare module 'node:process' {
  const process: NodeProcess;
  export = process;
}
declare module 'util' {
  /** printf-like formatting, as console.log does it. */
  export function format(format?: any, ...args: any[]): string;
  /** A value as console.log would print it. */
  export function inspect(value: any): string;
}
declare module 'node:util' {
  export * from 'util';
}
declare module 'timers/promises' {
  /** Resolves with value after ms milliseconds: await setTimeout(1000). */
  export function setTimeout<T = void>(ms?: number, value?: T): Promise<T>;
  export function setImmediate<T = void>(value?: T): Promise<T>;
}
declare module 'node:timers/promises' {
  export * from 'timers/promises';
}
`;
