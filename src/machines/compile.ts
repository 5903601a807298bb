import type { AnyStateMachine, AnyStateNode, EventFromLogic, StateValueFrom } from 'xstate';

/** State names of a flat machine (every state a direct child of the root). */
export type FlatStateOf<M extends AnyStateMachine> = Extract<StateValueFrom<M>, string>;
export type EventTypeOf<M extends AnyStateMachine> = EventFromLogic<M>['type'];

/** state -> event type -> next state. A missing entry is an illegal move. */
export type TransitionTable<S extends string, E extends string> = Record<S, Partial<Record<E, S>>>;

/**
 * Compiles a flat machine's transitions into a plain lookup table, so the core can step
 * millions of entities without an actor (or even a snapshot) per entity. The table is
 * read from the machine's own state nodes, never written by hand, so the two cannot
 * drift; tests check it against xstate's `transition()` for every state and event.
 *
 * Only what a table can express is accepted: atomic or final states directly under the
 * root, exact event names, one unguarded transition per event, no eventless or delayed
 * transitions. Anything else throws at module load. Actions are not part of the table:
 * whoever steps by table performs the effects itself.
 */
export function compileTransitions<M extends AnyStateMachine>(
  machine: M,
): TransitionTable<FlatStateOf<M>, EventTypeOf<M>> {
  const root: AnyStateNode = machine.root;
  const table: Record<string, Record<string, string>> = {};
  for (const [key, node] of Object.entries<AnyStateNode>(root.states)) {
    if (node.type !== 'atomic' && node.type !== 'final') {
      refuse(root, `state '${key}' is ${node.type}; only flat machines compile`);
    }
    const row: Record<string, string> = {};
    const decided = new Set<string>();
    table[key] = row;
    // A final state ends the machine: xstate's actor ignores every later event (even
    // though `snapshot.can()` there still reports the root's handlers).
    if (node.type === 'final') continue;
    // Innermost definition wins, as in xstate: the state's own `on`, then the root's.
    for (const source of [node, root]) {
      if (source.always?.length) refuse(root, `'${source.id}' has eventless (always) transitions`);
      for (const [eventType, candidates] of source.transitions) {
        if (decided.has(eventType)) continue;
        decided.add(eventType);
        if (eventType.includes('*') || eventType.startsWith('xstate.')) {
          refuse(root, `'${source.id}' handles '${eventType}'; only plain event names compile`);
        }
        const [only, ...more] = candidates;
        if (!only || more.length > 0 || only.guard !== undefined) {
          refuse(root, `'${source.id}' on '${eventType}' is guarded or has several candidates`);
        }
        const targets = only.target ?? [];
        if (targets.length > 1) refuse(root, `'${source.id}' on '${eventType}' has several targets`);
        const target = targets[0];
        if (target === undefined) {
          // Targetless with actions: handled in place. Without actions xstate treats it
          // as forbidden (`snapshot.can` is false, and it shadows the root's handler).
          if (only.actions.length > 0) row[eventType] = key;
        } else if (target.parent !== root) {
          refuse(root, `'${source.id}' on '${eventType}' targets '${target.id}', not a top-level state`);
        } else {
          row[eventType] = target.key;
        }
      }
    }
  }
  return table as TransitionTable<FlatStateOf<M>, EventTypeOf<M>>;
}

function refuse(root: AnyStateNode, why: string): never {
  throw new Error(`compileTransitions(${root.id}): ${why}`);
}

/**
 * A stepper over a compiled table: the next state, or a thrown Error naming the illegal
 * move, e.g. "illegal message transition: ready --ack-->".
 */
export function createStepper<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  name: string,
): (state: S, eventType: E) => S {
  return (state, eventType) => {
    const next = table[state]?.[eventType];
    if (next === undefined) throw new Error(`illegal ${name} transition: ${state} --${eventType}-->`);
    return next;
  };
}

/**
 * The same table with states and events numbered, for entities stepped millions of times
 * a second: the next state is one typed-array read, `next[state * events.length + event]`,
 * -1 where the move is illegal. Numbers follow the order of the given name lists.
 */
export interface IndexedTransitions<S extends string, E extends string> {
  readonly states: readonly S[];
  readonly events: readonly E[];
  readonly stateIndex: Readonly<Record<S, number>>;
  readonly eventIndex: Readonly<Record<E, number>>;
  readonly next: Int8Array;
}

export function indexTransitions<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  states: readonly S[],
  events: readonly E[],
): IndexedTransitions<S, E> {
  const stateIndex = Object.fromEntries(states.map((s, i) => [s, i])) as Record<S, number>;
  const eventIndex = Object.fromEntries(events.map((e, i) => [e, i])) as Record<E, number>;
  const next = new Int8Array(states.length * events.length).fill(-1);
  for (const [s, state] of states.entries()) {
    for (const [e, event] of events.entries()) {
      const target = table[state]?.[event];
      if (target !== undefined) next[s * events.length + e] = stateIndex[target];
    }
  }
  return { states, events, stateIndex: Object.freeze(stateIndex), eventIndex: Object.freeze(eventIndex), next };
}
