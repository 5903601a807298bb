// Messages between the page and a program's Web Worker (one worker per running program,
// like a process). AMQP bytes never travel here: each `connect` carries a fresh
// MessagePort that the page serves with an AmqpSession (src/server/message-port.ts).

/** Page -> worker. */
export type ToWorker =
  | { type: 'run'; code: string; filename: string; args: string[] }
  /** Ctrl+C: SIGINT listeners run if the program has any; otherwise it ends at once. */
  | { type: 'signal'; signal: 'SIGINT' };

/** Worker -> page. */
export type FromWorker =
  /** What the program wrote (console.*, process.stdout/stderr.write). */
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  /** A plain-words remark from the runner itself (not the program's output). */
  | { type: 'note'; text: string }
  /** `amqp.connect()` opened a transport: ports[0] is its end for the broker. */
  | { type: 'connect' }
  /** Where the program failed, for the editor's marker (1-based, in the source). */
  | { type: 'problem'; message: string; line: number; column: number; endColumn?: number }
  /** The worker got the signal and is handling it (a busy worker never says this). */
  | { type: 'signal-received' }
  /** The program ended by itself: its exit code. */
  | { type: 'exit'; code: number };
