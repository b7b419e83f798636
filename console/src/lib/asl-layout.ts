/**
 * Where each state of a state machine goes in a drawing: a layered layout (dagre), top to bottom from StartAt, with
 * the route of every edge. No DOM: the drawing (components/AslDiagram.tsx) only renders what this returns.
 */
import dagre from '@dagrejs/dagre';
import type { AslGraph, EdgeKind } from './asl-graph';

export interface PlacedNode {
  name: string;
  type: string;
  retries: boolean;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  points: { x: number; y: number }[];
}

export interface AslLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.4;

export function layoutAsl(graph: AslGraph): AslLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes)
    g.setNode(n.name, {
      width: Math.max(96, Math.ceil(n.name.length * CHAR_WIDTH) + 28),
      height: NODE_HEIGHT,
    });
  for (const e of graph.edges)
    g.setEdge(e.from, e.to, { weight: e.kind === 'catch' ? 1 : 2, minlen: 1 }, `${e.kind}`);
  dagre.layout(g);
  const label = g.graph() as { width?: number; height?: number };
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes: g.nodes().map((name: string) => {
      const n = g.node(name) as { x: number; y: number; width: number; height: number };
      const src = byName.get(name)!;
      return { name, type: src.type, retries: src.retries, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: graph.edges.map((e) => {
      const placed = g.edge(e.from, e.to, e.kind) as { points?: { x: number; y: number }[] } | undefined;
      return { ...e, points: placed?.points ?? [] };
    }),
  };
}
