/**
 * The simulation report as one standalone HTML page: tables and inline SVG line plots, no
 * scripts, styles inline, no external assets — it can be mailed or archived as it is.
 */
import type { SimulationReport } from '../contract/index.js'

const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
]

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-'
  const a = Math.abs(n)
  return a >= 1e6
    ? n.toExponential(2)
    : a >= 100
      ? String(Math.round(n))
      : String(Math.round(n * 100) / 100)
}

interface Line {
  name: string
  values: readonly number[]
}

/** One plot: x in hours (shown in days past 72 h), several lines, a legend. */
export function lineChart(
  title: string,
  unit: string,
  hours: readonly number[],
  lines: readonly Line[],
): string {
  const w = 640
  const h = 240
  const m = { l: 60, r: 10, t: 24, b: 30 }
  const shown = lines.filter((l) => l.values.some((v) => v !== 0)).slice(0, palette.length)
  const xMax = Math.max(1e-9, ...hours)
  const yMax = Math.max(1e-9, ...shown.flatMap((l) => l.values))
  const days = xMax > 72
  const x = (v: number) => m.l + (v / xMax) * (w - m.l - m.r)
  const y = (v: number) => h - m.b - (v / yMax) * (h - m.t - m.b)
  const ticks = [0, 0.25, 0.5, 0.75, 1]
  const grid = ticks
    .map(
      (f) =>
        `<line x1="${m.l}" x2="${w - m.r}" y1="${y(f * yMax)}" y2="${y(f * yMax)}" stroke="#eee"/>` +
        `<text x="${m.l - 4}" y="${y(f * yMax) + 4}" text-anchor="end" font-size="10">${fmt(f * yMax)}</text>` +
        `<text x="${x(f * xMax)}" y="${h - m.b + 14}" text-anchor="middle" font-size="10">${fmt(days ? (f * xMax) / 24 : f * xMax)}</text>`,
    )
    .join('')
  const paths = shown
    .map((l, i) => {
      const d = l.values
        .map((v, k) => `${k === 0 ? 'M' : 'L'}${x(hours[k] ?? 0).toFixed(1)},${y(v).toFixed(1)}`)
        .join('')
      return `<path d="${d}" fill="none" stroke="${palette[i]}" stroke-width="1.5"/>`
    })
    .join('')
  const legend = shown
    .map((l, i) => `<span style="color:${palette[i]}">■</span> ${esc(l.name)}`)
    .join(' &nbsp; ')
  const empty =
    shown.length === 0
      ? `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" fill="#999">all zero</text>`
      : ''
  return `<figure><figcaption><b>${esc(title)}</b> (${esc(unit)}; x: ${days ? 'days' : 'hours'})</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}">${grid}<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${h - m.b}" stroke="#999"/><line x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}" stroke="#999"/>${paths}${empty}</svg><div class="legend">${legend}</div></figure>`
}

function table(head: string[], rows: unknown[][]): string {
  return `<table><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`
}

const top = <T>(items: readonly T[], key: (t: T) => number, n: number) =>
  [...items].sort((a, b) => key(b) - key(a)).slice(0, n)
const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0)

export function renderSimulationHtml(r: SimulationReport): string {
  const s = r.summary
  const summary = table(
    ['figure', 'value'],
    [
      ['ingested', `${fmt(s.ingestedTB)} TB in ${fmt(s.ingestedFiles)} files`],
      ['replicated', `${fmt(s.replicatedTB)} TB in ${fmt(s.replicatedFiles)} files`],
      ['copies that did not fit', `${fmt(s.unplacedTB)} TB`],
      ['still queued at the end', `${fmt(s.backlogTB)} TB`],
      [
        'last queued copy arrived after',
        s.distributionHours === null
          ? 'copies still queued at the end'
          : `${fmt(s.distributionHours)} h`,
      ],
      [
        'mean / peak link throughput',
        `${fmt(s.meanThroughputGbps)} Gb/s total / ${fmt(s.peakLinkGbps)} Gb/s on one link`,
      ],
      ['tasks run / not placed', `${fmt(s.tasksRun)} / ${fmt(s.tasksUnplaced)}`],
      ['mean queue time', `${fmt(s.meanQueueHours)} h`],
      [
        'energy (compute, storage, network)',
        `${fmt(s.energyKwh.compute)}, ${fmt(s.energyKwh.storage)}, ${fmt(s.energyKwh.network)} kWh`,
      ],
      [
        'run',
        `${r.run.steps} steps of ${fmt(r.run.stepMinutes)} min, ${r.run.datasets} datasets, ${r.run.wallMs} ms wall clock (${fmt(r.run.simulatedToWall)}× real time)`,
      ],
    ],
  )
  const published = r.published as {
    tb?: number
    files?: number
    hours?: number
    peakLinkGbps?: number
    source: string
    simulated: Record<string, number | null>
  } | null
  const comparison = published
    ? `<h2>Compared with the published figures</h2>${table(
        ['figure', 'published', 'simulated'],
        [
          ['volume (TB)', published.tb ?? '-', published.simulated.tb ?? '-'],
          ['files', published.files ?? '-', published.simulated.files ?? '-'],
          ['duration (h)', published.hours ?? '-', published.simulated.hours ?? 'not finished'],
          [
            'peak site-to-site (Gb/s)',
            published.peakLinkGbps ?? '-',
            published.simulated.peakLinkGbps ?? '-',
          ],
        ],
      )}<p>Published: ${esc(published.source)}</p>`
    : ''
  const bottlenecks = r.bottlenecks.length
    ? table(
        ['hour', 'kind', 'where', 'what', 'action', 'gap-report requirement (phase)'],
        r.bottlenecks.map((b) => [
          b.hour,
          b.kind,
          b.where,
          b.detail,
          `${b.action.target}: ${b.action.change}`,
          `${b.action.requirement} (${b.action.phase})`,
        ]),
      )
    : '<p>None met: every copy fitted, no link backlog kept growing, no task waited over a day.</p>'
  const links = top(r.links, (l) => sum(l.throughputGbps) + sum(l.backlogTB), 8)
  const charts = [
    lineChart(
      'Disk used per site',
      'TB',
      r.hours,
      r.sites.map((x) => ({ name: x.name, values: x.usedTB })),
    ),
    lineChart(
      'Disk free per site',
      'TB',
      r.hours,
      r.sites.map((x) => ({ name: x.name, values: x.freeTB })),
    ),
    lineChart(
      'Tape used per site',
      'TB',
      r.hours,
      r.sites.map((x) => ({ name: x.name, values: x.tapeUsedTB })),
    ),
    lineChart(
      'Transfer backlog per link (busiest 8)',
      'TB',
      r.hours,
      links.map((l) => ({ name: `${l.from}→${l.to}`, values: l.backlogTB })),
    ),
    lineChart(
      'Throughput per link (busiest 8)',
      'Gb/s',
      r.hours,
      links.map((l) => ({ name: `${l.from}→${l.to}`, values: l.throughputGbps })),
    ),
    lineChart('Tasks', 'tasks', r.hours, [
      { name: 'queued', values: r.tasks.queued },
      { name: 'running', values: r.tasks.running },
      { name: 'not placed (cumulative)', values: r.tasks.unplaced },
    ]),
    lineChart('Mean queue time of tasks started', 'hours', r.hours, [
      { name: 'queue time', values: r.tasks.meanQueueHours },
    ]),
    lineChart(
      'Allocation burn-down',
      'core-hours left',
      r.hours,
      r.allocations
        .filter((a) => a.coreHours !== null)
        .map((a) => ({ name: a.name, values: a.coreHoursLeft })),
    ),
    lineChart(
      'Disk held under allocations',
      'TB',
      r.hours,
      r.allocations
        .filter((a) => a.diskTB !== null)
        .map((a) => ({ name: `${a.name} (of ${a.diskTB} TB)`, values: a.diskUsedTB })),
    ),
    lineChart('Energy (cumulative)', 'kWh', r.hours, [
      { name: 'compute + storage + network', values: r.energyKwh },
    ]),
  ].join('')
  const sources = r.scenario.sources
    .map((x) => `<li>[${esc(x.id)}] <a href="${esc(x.url)}">${esc(x.title)}</a></li>`)
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>What-if: ${esc(r.scenario.title)}</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}figure{display:inline-block;margin:.5em 1em .5em 0}.legend{font-size:12px;max-width:640px}</style></head><body><h1>What-if: ${esc(r.scenario.title)}</h1><p>Scenario <code>${esc(r.scenario.name)}</code>, ${esc(r.scenario.days)} days, simulated by Continuum on the Run face's placement, scheduling and brokering code.</p><h2>First bottleneck</h2>${r.bottleneck ? `<p><b>${esc(r.bottleneck.kind)}</b> at hour ${esc(r.bottleneck.hour)} (${esc(r.bottleneck.at)}): ${esc(r.bottleneck.detail)}.<br>Action: ${esc(r.bottleneck.action.change)} — gap-report requirement <code>${esc(r.bottleneck.action.requirement)}</code>, ${esc(r.bottleneck.action.phase)} phase.</p>` : '<p>none</p>'}<h2>Summary</h2>${summary}${comparison}<h2>Bottlenecks</h2>${bottlenecks}<h2>Over time</h2>${charts}<h2>Sources</h2><ol>${sources}</ol></body></html>`
}
