// One run of a learner program, seen from the page: its worker (like a process), the
// AMQP sessions of the connections it opened, and how it ended. Stop is Ctrl+C (SIGINT:
// the program's handler may close cleanly; a busy or unresponsive program is terminated);
// Kill ends the worker at once. Either way the broker sees each connection drop, so
// unacknowledged messages go back to their queues, redelivered.

import type { AmqpSession } from '../server/session.ts';
import type { BrokerHost } from './broker-host.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { takeWorker } from './worker-pool.ts';

export type RunState = 'running' | 'exited' | 'stopped' | 'killed';

export interface RunListener {
  output(stream: 'stdout' | 'stderr' | 'note', text: string): void;
  problem(problem: { message: string; line: number; column: number }): void;
  ended(state: Exclude<RunState, 'running'>, code: number | undefined): void;
}

/** How long a worker has to say it got SIGINT before it counts as busy. */
const SIGNAL_ACK_MS = 250;
/** How long a SIGINT handler may take to finish. */
const SIGNAL_GRACE_MS = 3000;

export class ProgramRun {
  readonly label: string;
  #state: RunState = 'running';
  readonly #worker: Worker;
  readonly #host: BrokerHost;
  readonly #listener: RunListener;
  readonly #sessions = new Set<{ session: AmqpSession; port: MessagePort }>();
  readonly #untrack: () => void;
  #signalled = false;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: BrokerHost, program: { filename: string; code: string; args: string[]; label: string }, listener: RunListener) {
    this.label = program.label;
    this.#host = host;
    this.#listener = listener;
    this.#untrack = host.track(this);
    this.#worker = takeWorker();
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data, event.ports);
    this.#worker.onerror = (event) => {
      // Only a failure to load the runner itself gets here: the runner catches the rest.
      event.preventDefault();
      listener.output('stderr', `The playground could not start ${program.filename}: ${event.message || 'the runner failed to load'}\n`);
      this.#end('exited', 1);
    };
    this.#send({ type: 'run', code: program.code, filename: program.filename, args: program.args });
  }

  get state(): RunState {
    return this.#state;
  }

  /** Ctrl+C. */
  stop(): void {
    if (this.#state !== 'running' || this.#signalled) return;
    this.#signalled = true;
    this.#send({ type: 'signal', signal: 'SIGINT' });
    this.#stopTimer = setTimeout(() => this.#end('stopped', undefined), SIGNAL_ACK_MS);
  }

  /** SIGKILL. */
  kill(): void {
    this.#end('killed', undefined);
  }

  /** Says so in the console: amqplib reports a 320 only as a 'close' event, easy to miss. */
  brokerRestarting(reason: string): void {
    if ([...this.#sessions].some(({ session }) => session.state === 'running')) {
      this.#listener.output('note', `The broker closed this program's connection: ${reason}.`);
    }
  }

  #send(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #receive(message: FromWorker, ports: readonly MessagePort[]): void {
    if (this.#state !== 'running') return;
    switch (message.type) {
      case 'output':
        this.#listener.output(message.stream, message.text);
        break;
      case 'note':
        this.#listener.output('note', message.text);
        break;
      case 'problem':
        this.#listener.problem(message);
        break;
      case 'connect': {
        const port = ports[0];
        if (port !== undefined) this.#sessions.add({ session: this.#host.serve(port, this.label), port });
        break;
      }
      case 'signal-received':
        clearTimeout(this.#stopTimer);
        this.#stopTimer = setTimeout(() => this.#end('stopped', undefined), SIGNAL_GRACE_MS);
        break;
      case 'exit':
        // Exit code 130 after Ctrl+C is the shell's way of saying "stopped by SIGINT".
        if (this.#signalled && message.code === 130) this.#end('stopped', undefined);
        else this.#end('exited', message.code);
        break;
    }
  }

  #end(state: Exclude<RunState, 'running'>, code: number | undefined): void {
    if (this.#state !== 'running') return;
    this.#state = state;
    clearTimeout(this.#stopTimer);
    this.#worker.terminate();
    this.#untrack();
    // Like a process's sockets when it dies: the broker sees each connection drop. Bytes
    // the program sent just before exiting may still be on their way on the ports, so a
    // program that exited by itself gets a moment for them to arrive.
    const hangUp = () => {
      for (const { session, port } of this.#sessions) {
        session.transportClosed();
        port.close();
      }
      this.#sessions.clear();
    };
    if (state === 'exited') setTimeout(hangUp, 50);
    else hangUp();
    this.#listener.ended(state, code);
  }
}
