// "Check my work": a button, a sentence on what it looks at, and the results (in a live
// region). The grader and the lesson's checks load on the first press (check-work.ts).
// Reset broker wipes the run they graded, so it clears them (the broker panel says so).

import type { CheckOutcome } from '../../grader/types.ts';
import type { BrokerHost } from '../broker-host.ts';
import { h, uid } from './dom.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function item(outcome: CheckOutcome): HTMLLIElement {
  return h(
    'li',
    { class: 'pg-check', 'data-pass': String(outcome.pass) },
    h('span', { class: 'pg-check-mark', 'aria-hidden': 'true' }, outcome.pass ? '✓' : '✗'),
    h(
      'div',
      { class: 'pg-check-body' },
      h('p', { class: 'pg-check-title' }, h('span', { class: 'pg-check-status' }, outcome.pass ? 'Passed:' : 'Not yet:'), ' ', h('span', { class: 'pg-check-name' }, outcome.name)),
      h('p', { class: 'pg-check-message' }, outcome.message),
    ),
  );
}

export function summarize(passed: number, total: number): string {
  if (total === 0) return 'This lesson has no checks yet.';
  if (total === 1) return passed === 1 ? 'The check passes. Well done!' : 'The check does not pass yet.';
  return passed === total ? `All ${total} checks pass. Well done!` : `${passed} of ${total} checks pass.`;
}

export function checkPanel(host: BrokerHost, lessonId: string, headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const headingId = uid('pg-checks');
  const noteId = uid('pg-checks-note');
  const summary = h('p', { class: 'pg-checks-summary' });
  const detail = h('p', { class: 'pg-checks-detail', hidden: true });
  const list = h('ul', { class: 'pg-check-list', 'aria-label': 'Check results', hidden: true });
  const results = h('div', { class: 'pg-checks-results', 'aria-live': 'polite' }, summary, list, detail);
  let busy = false;
  // Bumped by each reset: a check still loading when the broker was reset graded a run that is gone.
  let generation = 0;

  const button = h('button', { type: 'button', class: 'pg-button pg-check-button', 'aria-describedby': noteId, onclick: () => void run() }, 'Check my work');

  async function run(): Promise<void> {
    if (busy) return;
    busy = true;
    results.setAttribute('aria-busy', 'true');
    summary.textContent = 'Checking…';
    const started = generation;
    try {
      const { checkWork } = await import('../check-work.ts');
      const report = await checkWork(host, lessonId);
      if (started !== generation) return;
      const passed = report.outcomes.filter((o) => o.pass).length;
      const total = report.outcomes.length;
      summary.textContent = summarize(passed, total);
      list.replaceChildren(...report.outcomes.map(item));
      list.hidden = false;
      const notes = [
        report.events === 0
          ? 'Nothing has happened in the broker since it was last reset: run your programs, then check again.'
          : `Looked at ${plural(report.events, 'broker event')} since the last reset.`,
        report.truncated ? 'The broker did so much that only the first events were kept: press Reset broker and try again with fewer messages.' : '',
      ];
      detail.textContent = notes.filter(Boolean).join(' ');
      detail.hidden = false;
    } catch (error) {
      if (started !== generation) return;
      summary.textContent = `The checks could not run (${error instanceof Error ? error.message : String(error)}). Reload the page to try again.`;
      list.hidden = true;
      detail.hidden = true;
    } finally {
      busy = false;
      results.removeAttribute('aria-busy');
    }
  }

  /** Back to the state before the first press. Focus stays where it is (on Reset broker). */
  function clear(): string | undefined {
    generation++;
    const shown = summary.textContent !== '';
    summary.textContent = '';
    list.replaceChildren();
    list.hidden = true;
    detail.textContent = '';
    detail.hidden = true;
    return shown ? 'Check results were cleared: run your programs again, then check.' : undefined;
  }
  host.onReset(clear);

  return h(
    'section',
    { class: 'pg-checks', 'aria-labelledby': headingId },
    h(
      'div',
      { class: 'pg-checks-head' },
      h(headingLevel, { id: headingId }, 'Checks'),
      button,
      h('p', { id: noteId, class: 'pg-checks-note' }, 'The checks look at what happened in the broker since it was last reset (or since the page loaded), not at your code.'),
    ),
    results,
  );
}
