// The message lifecycle diagram: the message machine (src/machines/message.ts) drawn as
// boxes and arrows, with the path one message's copy took through it (message-path.ts)
// marked, and that path below as an ordered list in plain words (the real content; the
// drawing is its picture). States, edges and their labels come from the machine itself;
// only the boxes' positions are hand-placed here, and a test fails if a state has none.
// Redrawn at most once per animation frame, from the broker host's changes.

import { MESSAGE_STATES, messageMachine, messageTransitions, type MessageEventType, type MessageState } from '../../machines/message.ts';
import type { BrokerHost } from '../broker-host.ts';
import { MessageTraceIndex, messagePath, type MessagePath } from '../message-path.ts';
import { h, uid } from './dom.ts';
import './message-diagram.css';

/** Centre of each state's box in the drawing's coordinates (viewBox 0 0 VIEW_W VIEW_H). */
export const LAYOUT: Record<MessageState, { x: number; y: number }> = {
  published: { x: 60, y: 40 },
  routed: { x: 262, y: 40 },
  ready: { x: 445, y: 40 },
  unacked: { x: 675, y: 40 },
  acked: { x: 845, y: 40 },
  unroutable: { x: 60, y: 150 },
  rejected: { x: 240, y: 150 },
  consumed: { x: 365, y: 150 },
  returned: { x: 60, y: 260 },
  expired: { x: 445, y: 260 },
  deadLettered: { x: 565, y: 260 },
  dropped: { x: 760, y: 260 },
};
/** Where an edge's label sits along it (0 at its start, 1 at its end), where 0.5 would collide. */
const LABEL_AT: Partial<Record<string, number>> = {
  'ready deadLetter': 0.3,
  'ready drop': 0.22,
  'ready expire': 0.62,
  'unacked deadLetter': 0.3,
  'unacked drop': 0.4,
  'unroutable drop': 0.2,
};
const VIEW_W = 905;
const VIEW_H = 290;
const BOX_W = 110;
const BOX_H = 34;
/** At most this many messages in the picker (the newest), so a flood stays usable. */
const PICKER_LIMIT = 500;

export interface DiagramEdge {
  from: MessageState;
  event: MessageEventType;
  to: MessageState;
  description: string;
}

/** Every transition of the message machine, with its description for learners. */
export function diagramEdges(): DiagramEdge[] {
  return MESSAGE_STATES.flatMap((from) =>
    (Object.entries(messageTransitions[from]) as [MessageEventType, MessageState][]).map(([event, to]) => ({
      from,
      event,
      to,
      description: messageMachine.states[from]?.transitions.get(event)?.[0]?.description ?? '',
    })),
  );
}

const stateDescription = (state: MessageState): string => messageMachine.states[state]?.description ?? '';
const isFinal = (state: MessageState): boolean => messageMachine.states[state]?.type === 'final';

const SVG = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

/** Where the segment from the centre of `a` towards `b` leaves a's box. */
function border(a: { x: number; y: number }, b: { x: number; y: number }): { x: number; y: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.min(dx === 0 ? Infinity : BOX_W / 2 / Math.abs(dx), dy === 0 ? Infinity : BOX_H / 2 / Math.abs(dy));
  return { x: a.x + dx * t, y: a.y + dy * t };
}

const edgeKey = (from: MessageState, event: MessageEventType) => `${from} ${event}`;

function drawing(titleId: string, descId: string, desc: SVGDescElement) {
  const markerId = uid('md-arrow');
  const visitedMarkerId = uid('md-arrow-visited');
  const marker = (id: string, cls: string) =>
    svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
  const root = svg(
    'svg',
    { class: 'md-svg', viewBox: `0 0 ${VIEW_W} ${VIEW_H}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}` },
    svg('title', { id: titleId }, 'The message state machine'),
    desc,
    svg('defs', {}, marker(markerId, 'md-arrowhead'), marker(visitedMarkerId, 'md-arrowhead md-arrowhead-visited')),
  );
  const edgeLayer = svg('g', { class: 'md-edges' });
  const labelLayer = svg('g', { class: 'md-labels' });
  const stateLayer = svg('g', { class: 'md-states' });
  root.append(edgeLayer, stateLayer, labelLayer);

  const edges = new Map<string, { path: SVGPathElement; label: SVGTextElement }>();
  const all = diagramEdges();
  for (const edge of all) {
    const a = LAYOUT[edge.from];
    const b = LAYOUT[edge.to];
    // A pair of opposite edges (deliver / requeue) bends apart, each to its own side.
    const paired = all.some((e) => e.from === edge.to && e.to === edge.from);
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const bend = paired ? 16 : 0;
    const nx = (-(b.y - a.y) / len) * bend;
    const ny = ((b.x - a.x) / len) * bend;
    const start = border({ x: a.x + nx, y: a.y + ny }, { x: b.x + nx, y: b.y + ny });
    const end = border({ x: b.x + nx, y: b.y + ny }, { x: a.x + nx, y: a.y + ny });
    const path = svg('path', { d: `M${start.x},${start.y} L${end.x},${end.y}`, class: 'md-edge', 'marker-end': `url(#${markerId})` });
    path.append(svg('title', {}, `${edge.from} --${edge.event}--> ${edge.to}: ${edge.description}`));
    // Labels sit beside a paired edge (on its outer side) and above a horizontal one,
    // otherwise on the line, over a halo in the background colour.
    const at = LABEL_AT[edgeKey(edge.from, edge.event)] ?? 0.5;
    const outward = paired ? 9 / bend : 0;
    const lift = !paired && a.y === b.y ? -8 : 4;
    const lx = start.x + (end.x - start.x) * at + nx * outward;
    const ly = start.y + (end.y - start.y) * at + ny * outward + lift;
    const label = svg('text', { x: lx, y: ly, class: 'md-edge-label', 'text-anchor': 'middle' }, edge.event);
    edgeLayer.append(path);
    labelLayer.append(label);
    edges.set(edgeKey(edge.from, edge.event), { path, label });
  }

  const boxes = new Map<MessageState, SVGGElement>();
  for (const state of MESSAGE_STATES) {
    const { x, y } = LAYOUT[state];
    const g = svg(
      'g',
      { class: isFinal(state) ? 'md-state md-final' : 'md-state' },
      svg('title', {}, `${state}: ${stateDescription(state)}`),
      svg('rect', { x: x - BOX_W / 2, y: y - BOX_H / 2, width: BOX_W, height: BOX_H, rx: isFinal(state) ? 17 : 5 }),
      svg('text', { x, y: y + 4.5, 'text-anchor': 'middle' }, state),
    );
    stateLayer.append(g);
    boxes.set(state, g);
  }

  const show = (path: MessagePath | undefined) => {
    const visitedStates = new Set<MessageState>();
    const visitedEdges = new Set<string>();
    if (path) {
      path.steps.forEach((step, i) => {
        visitedStates.add(step.state);
        const before = path.steps[i - 1];
        if (before !== undefined && step.event !== null) visitedEdges.add(edgeKey(before.state, step.event));
      });
    }
    for (const [state, g] of boxes) {
      g.classList.toggle('md-visited', visitedStates.has(state));
      g.classList.toggle('md-current', path?.state === state);
    }
    for (const [key, { path: line, label }] of edges) {
      const on = visitedEdges.has(key);
      line.classList.toggle('md-visited', on);
      label.classList.toggle('md-visited', on);
      line.setAttribute('marker-end', `url(#${on ? visitedMarkerId : markerId})`);
    }
  };
  return { root, show };
}

/** The "Message lifecycle" section for the page's broker. */
export function messageDiagram(host: BrokerHost, headingLevel: 'h3' | 'h4' = 'h3'): HTMLElement {
  const headingId = uid('md-heading');
  const messageSelectId = uid('md-message');
  const queueSelectId = uid('md-queue');
  const titleId = uid('md-title');
  const descId = uid('md-desc');
  const desc = svg('desc', { id: descId });
  const picture = drawing(titleId, descId, desc);
  const index = new MessageTraceIndex();

  const FOLLOW = 'follow';
  const messageSelect = h('select', { id: messageSelectId, class: 'md-select' });
  const queueSelect = h('select', { id: queueSelectId, class: 'md-select' });
  const queueField = h('div', { class: 'md-field', hidden: true }, h('label', { for: queueSelectId }, 'Queue'), queueSelect);
  const summary = h('p', { class: 'md-summary' });
  const note = h('p', { class: 'md-note', role: 'status' });
  const steps = h('ol', { class: 'md-steps' });
  const stepsHeading = h(headingLevel === 'h3' ? 'h4' : 'h5', { class: 'md-steps-heading' }, 'Its path, step by step');
  /** What the message options were last built from, to skip rebuilding them every frame. */
  let drawnOptions = '';
  let queue: string | undefined;
  /** Why the chosen message is no longer shown, until the learner picks again. */
  let lost = '';

  const rebuildOptions = (selected: number | undefined) => {
    const list = index.summaries.slice(-PICKER_LIMIT);
    const key = `${list.length}:${list[0]?.id ?? ''}:${list.at(-1)?.id ?? ''}:${selected ?? ''}`;
    if (key === drawnOptions) return;
    drawnOptions = key;
    const options = [h('option', { value: FOLLOW }, list.length === 0 ? 'Follow the newest (none yet)' : 'Follow the newest')];
    for (const m of list) options.push(h('option', { value: m.id }, m.label));
    messageSelect.replaceChildren(...options);
    messageSelect.value = selected === undefined || !list.some((m) => m.id === selected) ? FOLLOW : String(selected);
  };

  /**
   * Outside use, the picker holds only what it shows: "Follow the newest", or the chosen
   * message. Rebuilding hundreds of options on every frame of a busy run cost more than the
   * run itself; the full list is built when the picker gets focus or is pressed.
   */
  const minimalOptions = (selected: number | undefined) => {
    const key = `min:${index.summaries.length === 0}:${selected ?? ''}`;
    if (key === drawnOptions) return;
    drawnOptions = key;
    const chosen = selected === undefined ? undefined : index.summaries.find((m) => m.id === selected);
    const options = [h('option', { value: FOLLOW }, index.summaries.length === 0 ? 'Follow the newest (none yet)' : 'Follow the newest')];
    if (chosen !== undefined) options.push(h('option', { value: chosen.id }, chosen.label));
    messageSelect.replaceChildren(...options);
    messageSelect.value = chosen === undefined ? FOLLOW : String(chosen.id);
  };
  const chosenId = (): number | undefined =>
    messageSelect.value === FOLLOW || messageSelect.value === '' ? undefined : Number(messageSelect.value);
  const openPicker = () => rebuildOptions(chosenId());
  messageSelect.addEventListener('focus', openPicker);
  messageSelect.addEventListener('pointerdown', openPicker);

  const render = () => {
    index.update(host.trace);
    const chosen = chosenId();
    let id = chosen;
    if (chosen !== undefined && index.eventsOf(chosen).length === 0) {
      lost = `Message #${chosen} is no longer in the broker's trace (the broker was reset), so this follows the newest message.`;
      id = undefined;
    }
    note.textContent = lost;
    if (document.activeElement === messageSelect) rebuildOptions(id);
    else minimalOptions(id);
    id ??= index.summaries.at(-1)?.id;
    const path = id === undefined ? undefined : messagePath(index.eventsOf(id), id, queue);

    // The queue picker, only when the message reached several queues.
    const queues = path?.queues ?? [];
    queueField.hidden = queues.length < 2;
    if (queueSelect.options.length !== queues.length || queues.some((q, i) => queueSelect.options[i]?.value !== q)) {
      queueSelect.replaceChildren(...queues.map((q) => h('option', { value: q }, q)));
    }
    if (path?.queue != null) queueSelect.value = path.queue;

    picture.show(path);
    if (path === undefined || path.state === null) {
      summary.textContent = 'No message published yet. Run a program that publishes, and its message appears here.';
      desc.textContent = 'The message lifecycle states, with no message selected.';
      steps.replaceChildren();
      stepsHeading.hidden = true;
      return;
    }
    stepsHeading.hidden = false;
    const where = path.queue === null ? '' : ` in queue '${path.queue}'`;
    const others = path.queues.filter((q) => q !== path.queue).map((q) => `'${q}'`);
    const also = others.length > 0 ? ` (it also reached ${others.length === 1 ? 'queue' : 'queues'} ${others.join(', ')})` : '';
    summary.textContent = `Message #${path.messageId}${where} is ${path.state}${also}.`;
    desc.textContent = `Message #${path.messageId}${where}: ${path.steps.map((s) => s.state).join(', then ')}. Now ${path.state}.`;
    steps.replaceChildren(
      ...path.steps.map((step, i) => {
        const current = i === path.steps.length - 1;
        return h(
          'li',
          { class: current ? 'md-step md-step-current' : 'md-step', 'aria-current': current ? 'step' : undefined },
          h('span', { class: 'md-step-state' }, step.state),
          ' ',
          step.text,
          current ? h('span', { class: 'md-step-desc' }, ` ${stateDescription(step.state)}`) : null,
        );
      }),
    );
  };

  messageSelect.addEventListener('change', () => {
    queue = undefined;
    lost = '';
    render();
  });
  queueSelect.addEventListener('change', () => {
    queue = queueSelect.value;
    render();
  });
  host.onChange(render);

  return h(
    'section',
    { class: 'md', 'aria-labelledby': headingId },
    h(headingLevel, { id: headingId }, 'Message lifecycle'),
    h(
      'div',
      { class: 'md-pickers' },
      h('div', { class: 'md-field' }, h('label', { for: messageSelectId }, 'Message'), messageSelect),
      queueField,
    ),
    note,
    summary,
    // Focusable: on a phone the drawing scrolls sideways, and keyboards must reach it too.
    h('div', { class: 'md-figure', tabindex: 0, role: 'group', 'aria-label': 'Message state machine drawing' }, picture.root),
    stepsHeading,
    steps,
  );
}
