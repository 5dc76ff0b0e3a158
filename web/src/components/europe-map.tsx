/**
 * Europe as a tile grid: one square per country, placed roughly where it lies, shaded by how
 * many infrastructures it hosts. Legible at any size, keyboard-usable (each tile is a button),
 * and needs no geographic data. `EU` stands for pan-European infrastructures.
 */
// prettier-ignore
const tiles: Record<string, [number, number]> = {
  IS: [0, 0], NO: [5, 0], SE: [6, 0], FI: [7, 0], EU: [9, 0],
  IE: [1, 1], GB: [2, 1], DK: [5, 1], EE: [7, 1],
  NL: [4, 2], DE: [5, 2], PL: [6, 2], LV: [7, 2], LT: [8, 2],
  BE: [3, 3], LU: [4, 3], CZ: [5, 3], SK: [6, 3], UA: [8, 3],
  FR: [3, 4], CH: [4, 4], AT: [5, 4], HU: [6, 4], RO: [7, 4], MD: [8, 4],
  PT: [1, 5], ES: [2, 5], IT: [4, 5], SI: [5, 5], HR: [6, 5], RS: [7, 5], BG: [8, 5],
  MT: [4, 6], BA: [6, 6], ME: [7, 6], MK: [8, 6], TR: [9, 6],
  AL: [7, 7], GR: [8, 7], CY: [10, 7],
}

export function EuropeMap(props: {
  counts: Record<string, number>
  selected: string | undefined
  onSelect: (country: string | undefined) => void
}) {
  const max = Math.max(1, ...Object.values(props.counts))
  const cell = 46
  const gap = 4
  const others = Object.keys(props.counts).filter((c) => !(c in tiles))
  return (
    <div className="europe">
      <svg
        viewBox={`0 0 ${11 * (cell + gap)} ${8 * (cell + gap)}`}
        role="group"
        aria-label="Infrastructures by country"
        className="europe-map"
      >
        {Object.entries(tiles).map(([code, [x, y]]) => {
          const n = props.counts[code] ?? 0
          const selected = props.selected === code
          const level = n === 0 ? 0 : 0.25 + 0.75 * (n / max)
          return (
            <g
              key={code}
              transform={`translate(${x * (cell + gap)},${y * (cell + gap)})`}
              role="button"
              tabIndex={n > 0 ? 0 : -1}
              aria-label={`${code === 'EU' ? 'pan-European' : code}: ${n} infrastructure${n === 1 ? '' : 's'}`}
              aria-pressed={selected}
              className={`tile${n > 0 ? ' has' : ''}${selected ? ' selected' : ''}`}
              onClick={() => n > 0 && props.onSelect(selected ? undefined : code)}
              onKeyDown={(e) => {
                if ((e.key === 'Enter' || e.key === ' ') && n > 0) {
                  e.preventDefault()
                  props.onSelect(selected ? undefined : code)
                }
              }}
            >
              <rect
                width={cell}
                height={cell}
                rx={6}
                style={{
                  fill: n === 0 ? '#eef1f5' : `rgba(29, 78, 216, ${level})`,
                }}
              />
              <text
                x={cell / 2}
                y={n > 0 ? 19 : 28}
                textAnchor="middle"
                className="tile-code"
                style={{ fill: level > 0.55 ? '#fff' : '#334155' }}
              >
                {code}
              </text>
              {n > 0 && (
                <text
                  x={cell / 2}
                  y={36}
                  textAnchor="middle"
                  className="tile-count"
                  style={{ fill: level > 0.55 ? '#fff' : '#0f172a' }}
                >
                  {n}
                </text>
              )}
              <title>{`${code}: ${n}`}</title>
            </g>
          )
        })}
      </svg>
      {others.length > 0 && (
        <p className="muted small">
          Elsewhere: {others.map((c) => `${c} (${props.counts[c] ?? 0})`).join(', ')}
        </p>
      )}
    </div>
  )
}
