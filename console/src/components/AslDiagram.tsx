/**
 * A drawing of the state machine (its ASL definition) with an execution's path: visited states marked by an icon
 * and a word (succeeded ✓, failed ✕, caught ⚠, retried ↻, running …) as well as by colour and border, the
 * transitions taken drawn heavier, states not visited faint. Catch transitions are dashed.
 */
import { useMemo } from 'preact/hooks';
import type { AslDefinition, StateStatus, VisitedState } from '../lib/api-types';
import { aslGraph, edgeId, stateOutcomes, takenEdges } from '../lib/asl-graph';
import { layoutAsl } from '../lib/asl-layout';

const MARK: Record<StateStatus, string> = {
  succeeded: '✓',
  failed: '✕',
  caught: '⚠',
  retried: '↻',
  running: '…',
};

function path(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

export function AslDiagram({ definition, states }: { definition: AslDefinition; states: VisitedState[] }) {
  const graph = useMemo(() => aslGraph(definition), [definition]);
  const layout = useMemo(() => layoutAsl(graph), [graph]);
  const outcomes = useMemo(() => stateOutcomes(states), [states]);
  const taken = useMemo(() => takenEdges(graph, states), [graph, states]);
  return (
    <figure class="asl">
      <div class="asl-scroll" tabIndex={0} role="region" aria-label="state machine drawing">
        <svg
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label={`state machine with ${graph.nodes.length} states; ${outcomes.size} visited`}
          data-testid="asl-diagram"
        >
          <defs>
            {[
              ['arrow', 'arrow-head'],
              ['arrow-taken', 'arrow-head taken'],
            ].map(([id, cls]) => (
              <marker
                key={id}
                id={id}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="9"
                markerHeight="9"
                markerUnits="userSpaceOnUse"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" class={cls} />
              </marker>
            ))}
          </defs>
          {layout.edges.map((e) => {
            const on = taken.has(edgeId(e));
            return (
              <path
                key={`${e.from}-${e.to}-${e.kind}`}
                d={path(e.points)}
                class={`edge edge-${e.kind} ${on ? 'taken' : ''}`}
                marker-end={on ? 'url(#arrow-taken)' : 'url(#arrow)'}
              />
            );
          })}
          {layout.nodes.map((n) => {
            const o = outcomes.get(n.name);
            const status = o?.status;
            const label = status
              ? `${MARK[status]} ${status}${o && o.visits > 1 ? ` ×${o.visits}` : ''}`
              : n.type === 'Fail' || n.type === 'Succeed'
                ? n.type
                : `${n.type}${n.retries ? ' · retries' : ''}`;
            const round = n.type === 'Choice' ? 14 : n.type === 'Succeed' || n.type === 'Fail' ? 22 : 6;
            return (
              <g
                key={n.name}
                class={`state ${status ? `visited state-${status}` : 'unvisited'} type-${n.type.toLowerCase()}`}
                transform={`translate(${n.x - n.width / 2},${n.y - n.height / 2})`}
                data-state={n.name}
                data-status={status ?? 'not-visited'}
              >
                <title>
                  {`${n.name} (${n.type}): ${status ?? 'not visited'}${o?.error ? ` — ${o.error}` : ''}${o?.cause ? `: ${o.cause}` : ''}`}
                </title>
                <rect width={n.width} height={n.height} rx={round} ry={round} />
                <text x={n.width / 2} y={18} class="state-name">
                  {n.name}
                </text>
                <text x={n.width / 2} y={34} class="state-note">
                  {label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption class="legend">
        <span class="key key-succeeded">✓ succeeded</span>
        <span class="key key-failed">✕ failed</span>
        <span class="key key-caught">⚠ error caught</span>
        <span class="key key-retried">↻ retried</span>
        <span class="key key-unvisited">not visited (faint)</span>
        <span class="key">— taken transition (heavy) · - - - on error (Catch)</span>
      </figcaption>
    </figure>
  );
}
