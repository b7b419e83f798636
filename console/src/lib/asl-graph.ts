/**
 * A state machine's definition (Amazon States Language) as a graph to draw, and an execution's path over it: which
 * states it visited and how each ended. No DOM: tests import it.
 */
import type { AslDefinition, StateStatus, VisitedState } from './api-types';

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface AslNode {
  name: string;
  type: string;
  /** Whether the state retries on errors (a Retry field). */
  retries: boolean;
}

export interface AslEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface AslGraph {
  start: string;
  nodes: AslNode[];
  edges: AslEdge[];
}

/** Every state and every transition (Next, Choices, Default, Catch); one edge per distinct (from, to, kind). */
export function aslGraph(definition: AslDefinition): AslGraph {
  const nodes: AslNode[] = [];
  const edges: AslEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string | undefined, kind: EdgeKind) => {
    if (!to || !(to in definition.States)) return;
    const id = `${from}\u0000${to}\u0000${kind}`;
    if (seen.has(id)) return;
    seen.add(id);
    edges.push({ from, to, kind });
  };
  for (const [name, state] of Object.entries(definition.States)) {
    nodes.push({ name, type: state.Type, retries: Array.isArray(state.Retry) && state.Retry.length > 0 });
    add(name, state.Next, 'next');
    for (const c of state.Choices ?? []) add(name, c.Next, 'choice');
    add(name, state.Default, 'default');
    for (const c of state.Catch ?? []) add(name, c.Next, 'catch');
  }
  return { start: definition.StartAt, nodes, edges };
}

/** How an execution ended in one state: the worst of its visits (a state can be entered several times). */
export interface StateOutcome {
  status: StateStatus;
  visits: number;
  error?: string;
  cause?: string;
}

const SEVERITY: Record<StateStatus, number> = { succeeded: 0, retried: 1, caught: 2, running: 3, failed: 4 };

export function stateOutcomes(states: VisitedState[]): Map<string, StateOutcome> {
  const out = new Map<string, StateOutcome>();
  for (const s of states) {
    const prev = out.get(s.name);
    const worse = !prev || SEVERITY[s.status] >= SEVERITY[prev.status];
    out.set(s.name, {
      status: worse ? s.status : prev.status,
      visits: (prev?.visits ?? 0) + 1,
      ...(worse ? { error: s.error, cause: s.cause } : { error: prev.error, cause: prev.cause }),
    });
  }
  return out;
}

/** The transitions the execution took: consecutive visited states joined by an edge of the graph. */
export function takenEdges(graph: AslGraph, states: VisitedState[]): Set<string> {
  const exists = new Set(graph.edges.map((e) => `${e.from}\u0000${e.to}`));
  const taken = new Set<string>();
  for (let i = 1; i < states.length; i += 1) {
    const id = `${states[i - 1]!.name}\u0000${states[i]!.name}`;
    if (exists.has(id)) taken.add(id);
  }
  return taken;
}

export const edgeId = (e: Pick<AslEdge, 'from' | 'to'>): string => `${e.from}\u0000${e.to}`;
