// One running program's console: its output (stderr in red, the runner's own remarks
// set apart), its state, and Stop / Kill / Close. Output is appended at most once per
// animation frame, and only about the last MAX_LINES lines are kept, so a chatty program
// cannot slow the page.

import type { RunListener, RunState } from '../program-run.ts';
import { h, uid } from './dom.ts';

const MAX_LINES = 2000;

export interface RunPaneActions {
  stop(): void;
  kill(): void;
  close(): void;
}

export class RunPane implements RunListener {
  readonly element: HTMLElement;
  readonly #log: HTMLElement;
  readonly #state: HTMLElement;
  readonly #stop: HTMLButtonElement;
  readonly #kill: HTMLButtonElement;
  readonly #label: string;
  #pending: { stream: 'stdout' | 'stderr' | 'note'; text: string }[] = [];
  #frame = 0;
  #dropped = 0;
  #lineCount = 0;
  readonly #lines: { node: ChildNode; lines: number }[] = [];
  #notice: HTMLElement | undefined;
  readonly #onProblem: (problem: { message: string; line: number; column: number }) => void;

  constructor(label: string, actions: RunPaneActions, onProblem: (problem: { message: string; line: number; column: number }) => void) {
    this.#label = label;
    this.#onProblem = onProblem;
    const headingId = uid('pg-run');
    this.#state = h('span', { class: 'pg-state', 'data-state': 'running' }, 'running');
    this.#stop = h('button', { type: 'button', class: 'pg-button pg-small', 'aria-label': `Stop ${label}`, title: 'Ctrl+C: the program may clean up', onclick: () => actions.stop() }, 'Stop');
    this.#kill = h('button', { type: 'button', class: 'pg-button pg-small', 'aria-label': `Kill ${label}`, title: 'kill -9: ends it at once', onclick: () => actions.kill() }, 'Kill');
    const close = h('button', { type: 'button', class: 'pg-button pg-small pg-close', 'aria-label': `Close ${label}`, title: 'Close this console (kills the program if it still runs)', onclick: () => actions.close() }, '×');
    this.#log = h('div', { class: 'pg-log', role: 'log', 'aria-live': 'polite', 'aria-label': `${label} output`, tabindex: 0 });
    this.element = h(
      'section',
      { class: 'pg-run', 'aria-labelledby': headingId },
      h('div', { class: 'pg-run-head' }, h('h4', { id: headingId }, label), this.#state, h('span', { class: 'pg-buttons' }, this.#stop, this.#kill, close)),
      this.#log,
    );
  }

  output(stream: 'stdout' | 'stderr' | 'note', text: string): void {
    this.#pending.push({ stream, text });
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  problem(problem: { message: string; line: number; column: number }): void {
    this.#onProblem(problem);
  }

  ended(state: Exclude<RunState, 'running'>, code: number | undefined): void {
    const words = state === 'exited' ? `exited with code ${code}` : state;
    this.#state.textContent = words;
    this.#state.dataset['state'] = state === 'exited' && code === 0 ? 'ok' : state === 'exited' ? 'failed' : state;
    this.#stop.disabled = true;
    this.#kill.disabled = true;
    this.output('note', `${this.#label} ${words}`);
  }

  #flush(): void {
    this.#frame = 0;
    const log = this.#log;
    const follow = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    // Consecutive pieces of one stream become one node.
    let stream: 'stdout' | 'stderr' | 'note' | undefined;
    let text = '';
    const emit = () => {
      if (stream === undefined || text === '') return;
      const node = stream === 'stdout' ? document.createTextNode(text) : h('span', { class: stream === 'stderr' ? 'pg-stderr' : 'pg-note' }, text);
      log.append(node);
      const lines = countLines(text);
      this.#lines.push({ node, lines });
      this.#lineCount += lines;
    };
    for (const piece of this.#pending) {
      if (piece.stream !== stream) {
        emit();
        stream = piece.stream;
        text = '';
      }
      text += piece.stream === 'note' ? `${piece.text}\n` : piece.text;
    }
    emit();
    this.#pending = [];
    this.#trim();
    if (follow) log.scrollTop = log.scrollHeight;
  }

  #trim(): void {
    let dropped = 0;
    while (this.#lineCount > MAX_LINES && this.#lines.length > 1) {
      const oldest = this.#lines.shift()!;
      oldest.node.remove();
      this.#lineCount -= oldest.lines;
      dropped += oldest.lines;
    }
    if (dropped === 0) return;
    this.#dropped += dropped;
    this.#notice ??= this.#log.insertBefore(h('span', { class: 'pg-note' }), this.#log.firstChild);
    this.#notice.textContent = `… ${this.#dropped} earlier lines not shown\n`;
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
