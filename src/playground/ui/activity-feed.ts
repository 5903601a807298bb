// The broker panel's Activity feed: the broker's recent steps in words (activity.ts), newest
// last. It reads the host's trace from where it left off, at most once per animation frame,
// and formats only the lines it shows (the last LIMIT), so a 10,000-message run stays fast.
// Not a live region: a busy broker must not flood a screen reader.

import { activityLine, isActivity, type ActivityContext } from '../activity.ts';
import type { BrokerHost } from '../broker-host.ts';
import type { BrokerEvent } from '../../broker/events.ts';
import { h, uid } from './dom.ts';

export const ACTIVITY_LIMIT = 100;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function activityFeed(host: BrokerHost, headingLevel: 'h4' | 'h5' = 'h4'): HTMLElement {
  const headingId = uid('pg-activity');
  const list = h('ol', { class: 'pg-activity-list' });
  const scroller = h('div', { class: 'pg-activity-scroll', role: 'log', 'aria-live': 'off', tabindex: 0, 'aria-labelledby': headingId }, list);
  const note = h('p', { class: 'pg-activity-note' });
  const status = h('p', { class: 'pg-activity-status', role: 'status' });
  const empty = h('li', { class: 'pg-activity-empty' }, 'Nothing yet: run a program and its steps show here.');

  let trace: readonly BrokerEvent[] = host.trace;
  let read = 0; // events of `trace` taken into account
  let total = 0; // activity lines so far (shown or not)
  let paused = false;
  let waiting = 0; // lines that came in while paused
  let counted = 0; // events of `trace` counted into `waiting`
  const mandatory = new Set<number>();
  const context: ActivityContext = {
    exchangeType: (name) => host.broker.vhost.exchanges.get(name)?.type,
    mandatory: (id) => mandatory.has(id),
  };

  const clear = () => {
    trace = host.trace;
    read = counted = total = waiting = 0;
    mandatory.clear();
    list.replaceChildren(empty);
    status.textContent = '';
    updateNote();
  };

  function updateNote(): void {
    const parts: string[] = [];
    if (total > ACTIVITY_LIMIT) parts.push(`Showing the last ${ACTIVITY_LIMIT} of ${total} steps; older ones were dropped.`);
    if (paused) parts.push(`Paused: ${plural(waiting, 'new step')} not shown yet.`);
    if (host.traceFull) parts.push('The trace is full: newer steps are not recorded. Reset the broker to start again.');
    note.textContent = parts.join(' ');
  }

  function line(event: BrokerEvent): HTMLLIElement | null {
    const text = activityLine(event, context);
    if (text === null) return null;
    const m = /^(#\d+) (.*)$/s.exec(text);
    if (m === null) return h('li', {}, text);
    return h('li', {}, h('span', { class: 'pg-activity-id' }, m[1]), ' ', m[2]);
  }

  const render = () => {
    if (host.trace !== trace) clear();
    const end = trace.length;
    if (paused) {
      for (; counted < end; counted++) if (isActivity(trace[counted]!)) waiting++;
      updateNote();
      return;
    }
    if (read === end) {
      if (host.traceFull) updateNote();
      return;
    }
    // Forward: cheap checks over every new event; backward: format the last LIMIT lines only.
    let fresh = 0;
    for (let i = read; i < end; i++) {
      const event = trace[i]!;
      if (event.type === 'message.published' && event.mandatory) mandatory.add(event.messageId);
      if (isActivity(event)) fresh++;
    }
    const lines: HTMLLIElement[] = [];
    for (let i = end - 1; i >= read && lines.length < ACTIVITY_LIMIT; i--) {
      const li = line(trace[i]!);
      if (li !== null) lines.push(li);
    }
    for (let i = read; i < end; i++) {
      const event = trace[i]!;
      if (event.type === 'message.routed' || event.type === 'message.unroutable') mandatory.delete(event.messageId);
    }
    read = counted = end;
    total += fresh;
    if (lines.length === 0) return;
    lines.reverse();
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 8;
    if (lines.length >= ACTIVITY_LIMIT || list.firstElementChild === empty) list.replaceChildren(...lines);
    else {
      list.append(...lines);
      for (let extra = list.childElementCount - ACTIVITY_LIMIT; extra > 0; extra--) list.firstElementChild?.remove();
    }
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
    updateNote();
  };

  const pause = h('button', {
    type: 'button',
    class: 'pg-button pg-small',
    'aria-pressed': 'false',
    title: 'Freeze the list; the broker keeps working',
    onclick: () => {
      paused = !paused;
      pause.setAttribute('aria-pressed', String(paused));
      if (paused) {
        waiting = 0;
        counted = read;
        status.textContent = 'Activity paused: the list stays as it is while the broker keeps working.';
        updateNote();
      } else {
        for (; counted < trace.length; counted++) if (isActivity(trace[counted]!)) waiting++;
        const came = waiting;
        waiting = 0;
        render();
        updateNote();
        status.textContent = `Activity resumed: ${plural(came, 'step')} came in while paused.`;
      }
    },
  }, 'Pause');

  clear();
  host.onChange(render);
  host.onReset(() => {
    clear();
    return undefined;
  });

  return h(
    'section',
    { class: 'pg-activity', 'aria-labelledby': headingId },
    h('div', { class: 'pg-activity-head' }, h(headingLevel, { id: headingId }, 'Activity'), pause),
    h('p', { class: 'pg-activity-hint' }, 'What the broker did, newest last. #N is the broker’s number for a message: follow it from publish to ack.'),
    scroller,
    note,
    status,
  );
}
