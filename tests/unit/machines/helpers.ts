import { transition, type AnyStateMachine, type AnyStateNode } from 'xstate';
import { expect } from 'vitest';
import type { TransitionTable } from '../../../src/machines/compile.ts';

/** Every state node below the root, depth first. */
export function allStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const child of Object.values<AnyStateNode>(node.states)) {
      out.push(child);
      walk(child);
    }
  };
  walk(machine.root);
  return out;
}

/** Every event type any state (or the root) of the machine handles. */
export function handledEventTypes(machine: AnyStateMachine): Set<string> {
  const types = new Set<string>();
  for (const node of [machine.root, ...allStateNodes(machine)]) {
    for (const eventType of node.transitions.keys()) types.add(eventType);
  }
  return types;
}

/**
 * The compiled table must agree with xstate itself for every state x event pair: a
 * table entry exactly when `snapshot.can(event)` (live states), and the same next
 * state as `transition()`.
 */
export function expectTableMatchesMachine(
  machine: AnyStateMachine,
  table: TransitionTable<string, string>,
  context: Record<string, unknown>,
  eventTypes: readonly string[],
): number {
  let pairs = 0;
  for (const state of Object.keys(machine.states)) {
    const snapshot = machine.resolveState({ value: state, context });
    for (const type of eventTypes) {
      const event = { type };
      const expected = table[state]?.[type];
      const [next] = transition(machine, snapshot, event);
      const where = `${state} --${type}-->`;
      // In a final state the actor ignores every event; `can()` would still report the
      // root's own handlers, so it is only consulted for live states.
      if (snapshot.status === 'active') expect(snapshot.can(event), where).toBe(expected !== undefined);
      else expect(expected, where).toBeUndefined();
      expect(next.value, where).toBe(expected ?? state);
      pairs++;
    }
  }
  return pairs;
}
