// The Consoles column: one pane per run (newest last), Clear finished, and the hint shown
// while nothing has run yet.

import type { BrokerHost } from '../broker-host.ts';
import { ProgramRun } from '../program-run.ts';
import { h, uid } from './dom.ts';
import { RunPane } from './run-pane.ts';

export type Problem = { message: string; line: number; column: number };

export class Consoles {
  readonly element: HTMLElement;
  readonly #host: BrokerHost;
  readonly #list = h('div', { class: 'pg-run-list' });
  readonly #empty = h('p', { class: 'pg-empty-runs' }, 'Nothing is running. Press Run: each run is a separate program with its own console here; run one twice and both share the broker.');
  readonly #runs = new Map<RunPane, ProgramRun>();

  constructor(host: BrokerHost) {
    this.#host = host;
    const headingId = uid('pg-runs');
    const clear = h('button', { type: 'button', class: 'pg-button pg-small', onclick: () => this.clearFinished() }, 'Clear finished');
    this.element = h(
      'section',
      { class: 'pg-runs', 'aria-labelledby': headingId },
      h('div', { class: 'pg-runs-head' }, h('h3', { id: headingId }, 'Consoles'), clear),
      this.#empty,
      this.#list,
    );
  }

  /** Starts a program in a new worker, with a new pane for its output. */
  start(program: { filename: string; code: string; args: string[]; label: string }, onProblem: (problem: Problem) => void): void {
    const pane: RunPane = new RunPane(
      program.label,
      {
        stop: () => this.#runs.get(pane)?.stop(),
        kill: () => this.#runs.get(pane)?.kill(),
        close: () => {
          this.#runs.get(pane)?.kill();
          this.#remove(pane);
        },
      },
      onProblem,
    );
    this.#empty.hidden = true;
    this.#list.append(pane.element);
    this.#list.scrollTop = this.#list.scrollHeight;
    this.#runs.set(pane, new ProgramRun(this.#host, program, pane));
  }

  clearFinished(): void {
    for (const [pane, run] of this.#runs) if (run.state !== 'running') this.#remove(pane);
  }

  #remove(pane: RunPane): void {
    this.#runs.delete(pane);
    pane.element.remove();
    this.#empty.hidden = this.#runs.size > 0;
  }
}
