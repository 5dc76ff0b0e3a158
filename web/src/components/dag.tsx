/**
 * A workflow's task graph laid out by dagre (left to right), tasks coloured by state. The layout
 * depends only on the graph's shape, so state updates while the workflow runs only recolour.
 */
import { Graph, layout } from '@dagrejs/dagre'
import { useMemo } from 'react'
import { toneOf } from './ui.js'

export interface DagNode {
  id: string
  label: string
  state: string
  detail?: string
}

type Point = { x: number; y: number }

const width = 150
const height = 46

export function Dag(props: {
  nodes: DagNode[]
  edges: [string, string][]
  selected: string | undefined
  onSelect: (id: string) => void
  label: string
}) {
  const shape = props.nodes.map((n) => n.id).join('\n') + '|' + props.edges.join('\n')
  const placed = useMemo(() => {
    const g = new Graph()
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 12, marginy: 12 })
    g.setDefaultEdgeLabel(() => ({}))
    for (const n of props.nodes) g.setNode(n.id, { width, height })
    for (const [from, to] of props.edges) {
      if (g.hasNode(from) && g.hasNode(to)) g.setEdge(from, to)
    }
    layout(g)
    const positions = new Map<string, { x: number; y: number }>()
    for (const id of g.nodes()) {
      const n = g.node(id) as { x: number; y: number }
      positions.set(id, { x: n.x, y: n.y })
    }
    // Typed here: dagre's declarations resolve only under bundler module resolution.
    const edges = (g.edges() as { v: string; w: string }[]).map((e) => ({
      key: `${e.v}->${e.w}`,
      points: (g.edge(e) as { points: Point[] }).points,
    }))
    const graph = g.graph() as { width?: number; height?: number }
    return { positions, edges, width: graph.width ?? 0, height: graph.height ?? 0 }
    // Layout only when the graph's shape changes (`shape`), not on every state update.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape])

  return (
    <div className="dag-scroll">
      <svg
        className="dag"
        role="group"
        aria-label={props.label}
        width={placed.width}
        height={placed.height}
        viewBox={`0 0 ${placed.width} ${placed.height}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#94a3b8" />
          </marker>
        </defs>
        {placed.edges.map((e) => (
          <path
            key={e.key}
            className="dag-edge"
            markerEnd="url(#arrow)"
            d={e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ')}
          />
        ))}
        {props.nodes.map((n) => {
          const at = placed.positions.get(n.id)
          if (!at) return null
          const selected = props.selected === n.id
          return (
            <g
              key={n.id}
              transform={`translate(${at.x - width / 2},${at.y - height / 2})`}
              className={`dag-node tone-${toneOf(n.state)}${selected ? ' selected' : ''}`}
              role="button"
              tabIndex={0}
              aria-pressed={selected}
              aria-label={`task ${n.label}: ${n.state}`}
              data-state={n.state}
              data-task={n.id}
              onClick={() => props.onSelect(n.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault()
                  props.onSelect(n.id)
                }
              }}
            >
              <rect width={width} height={height} rx={8} />
              <text x={10} y={19} className="dag-label">
                {n.label.length > 20 ? `${n.label.slice(0, 19)}…` : n.label}
              </text>
              <text x={10} y={36} className="dag-state">
                {n.state}
                {n.detail ? ` · ${n.detail}` : ''}
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
