/**
 * A Technical Blueprint-shaped and an SRIDA-shaped document assembled from the live catalogue:
 * the Blueprint's eight capability areas with what the landscape offers, coverage and gaps; the
 * SRIDA's pillars, priorities and phased actions. Built as a list of blocks so that Markdown
 * and HTML say the same thing.
 */
import type { ReportDocument, UseCase } from '../contract/index.js'
import { d53Checks, d53Note } from './d53.js'
import type { Landscape } from './match.js'
import { projectionShortfalls, type ReportData } from './report.js'
import { capabilityAreas, d52Recommendations, requirementAreas } from './requirements.js'
import { phases, pillars, priorities, sridaLabelsNote } from './srida.js'

export type Block =
  | { h: 1 | 2 | 3; text: string }
  | { p: string }
  | { ul: string[] }
  | { table: { head: string[]; rows: string[][] } }

const pct = (x: number) => `${Math.round(x * 100)} %`
const uniq = (xs: string[]) => [...new Set(xs)].sort()

function useCaseTable(ucs: UseCase[]): Block {
  return {
    table: {
      head: ['use case', 'field', 'status', 'reviewed by, on', 'source'],
      rows: ucs.map((u) => [
        u.name,
        u.field ?? '',
        u.status,
        u.status === 'reviewed' ? `${u.reviewer ?? ''}, ${u.reviewedAt ?? ''}` : '—',
        u.citation ?? u.source ?? 'none given',
      ]),
    },
  }
}

/** What the catalogue offers in each capability area (index 0–7), in a sentence or two. */
function offers(l: Landscape, area: number): string {
  const cores = l.compute.reduce((n, c) => n + c.cores, 0)
  const tb = l.storage.reduce((n, s) => n + (s.capacityTB ?? 0), 0)
  switch (area) {
    case 0:
      return `${l.compute.length} compute services, ${cores.toLocaleString('en')} cores; batch systems ${uniq(l.compute.map((c) => c.batchSystem)).join(', ') || 'none'}.`
    case 1:
      return `${l.storage.length} storage services, ${(tb / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} PB published; protocols ${uniq(l.storage.flatMap((s) => s.protocols)).join(', ') || 'none'}.`
    case 2:
      return `Container runtimes ${uniq(l.compute.flatMap((c) => c.containerRuntimes)).join(', ') || 'none'}; ${l.software.length} software environments (${l.software.filter((s) => s.kind === 'cvmfs').length} CVMFS).`
    case 3:
      return `${l.policies.filter((p) => p.unattendedWorkflows).length} of ${l.policies.length} access policies allow unattended long-running workflows.`
    case 4: {
      const acc = l.compute.reduce((n, c) => n + c.accelerators.reduce((m, a) => m + a.count, 0), 0)
      return `${acc.toLocaleString('en')} accelerators (${uniq(l.compute.flatMap((c) => c.accelerators.map((a) => a.model))).join(', ') || 'none'}); ${l.compute.filter((c) => c.interactive).length} compute services offer interactive sessions.`
    }
    case 5:
      return `${l.policies.filter((p) => p.crossInfrastructure).length} of ${l.policies.length} access policies span infrastructures; ${l.policies.filter((p) => p.multiYear).length} allow multi-year allocations.`
    case 6:
      return `${l.compute.filter((c) => c.energy && (c.energy.pue != null || c.energy.carbonGPerKWh != null)).length} of ${l.compute.length} compute services publish PUE or carbon intensity; the catalogue holds no monitoring or accounting endpoints yet.`
    default:
      return `Identity providers accepted: ${uniq(l.policies.flatMap((p) => p.acceptedAai)).join(', ') || 'none'}.`
  }
}

/** Blueprint area (1–8) each D5.3 check informs, by check index. */
const d53Area = [2, 3, 5, 8, 2, 7]

export function blueprintDocument(l: Landscape, r: ReportData): Block[] {
  const g = r.gaps
  const reviewed = l.useCases.filter((u) => u.status === 'reviewed').length
  const out: Block[] = [
    { h: 1, text: 'Technical Blueprint: the capability map, from live data' },
    {
      p: `Assembled ${r.generatedAt} from the catalogue: ${l.infrastructures.length} infrastructures, ${l.useCases.length} use cases (${reviewed} reviewed, ${l.useCases.length - reviewed} draft). Shaped after the Blueprint's eight capability areas; coverage is the share of the use cases' stated requirements that their best combination of services and policies meets.`,
    },
    { h: 2, text: 'Use cases (D5.1)' },
    useCaseTable(l.useCases),
  ]
  capabilityAreas.forEach((area, i) => {
    const a = g.areas[i]!
    const cross = g.crossCutting.filter((c) => c.area === area)
    const perUc = g.perUseCase.flatMap((u) =>
      u.gaps
        .filter((x) => requirementAreas[x.requirement]?.[0] === i + 1)
        .map((x) => `${u.useCase} — ${x.requirement}: closest ${x.closest}`),
    )
    const checks = d53Checks
      .map((c, k) => ({ c, k }))
      .filter(({ k }) => d53Area[k] === i + 1)
      .map(
        ({ c, k }) =>
          `${c.recommendation}: ${g.landscapeChecks.filter((x) => x.results[k]?.met).length} of ${g.landscapeChecks.length} infrastructures`,
      )
    const actions = g.actions.filter((x) => x.area === area)
    out.push(
      { h: 2, text: `${i + 1}. ${area}` },
      { p: `Coverage: ${a.met} of ${a.total} stated requirements met (${pct(a.coverage)}).` },
      { p: `What the landscape offers: ${offers(l, i)}` },
      { h: 3, text: 'Gaps' },
      {
        ul: [
          ...cross.map((c) => `cross-cutting: ${c.requirement} — ${c.useCases.join(', ')}`),
          ...perUc,
        ].slice(0, 12),
      },
    )
    if (checks.length) out.push({ h: 3, text: 'D5.3 checks' }, { ul: checks })
    out.push(
      { h: 3, text: 'Recommended actions' },
      {
        ul: actions
          .slice(0, 8)
          .map(
            (x) =>
              `${x.rank}. ${x.target}: ${x.change} — unblocks ${x.unblocks.join(', ')} (${x.phase})`,
          ),
      },
    )
  })
  out.push({ p: d53Note })
  return out
}

export function sridaDocument(l: Landscape, r: ReportData): Block[] {
  const g = r.gaps
  const out: Block[] = [
    { h: 1, text: 'Strategic Research, Innovation and Deployment Agenda: from live data' },
    {
      p: `Assembled ${r.generatedAt} from the catalogue: ${g.actions.length} recommended actions for ${l.useCases.length} use cases on ${l.infrastructures.length} infrastructures, placed in the SRIDA's pillars, strategic priorities and phases.`,
    },
    { p: sridaLabelsNote },
    { h: 2, text: 'Phases' },
    {
      table: {
        head: ['phase', 'horizon', 'content', 'actions'],
        rows: phases.map((p) => [
          p.title,
          p.horizon,
          p.content,
          String(g.actions.filter((a) => a.phase === p.id).length),
        ]),
      },
    },
  ]
  for (const pillar of pillars) {
    out.push({ h: 2, text: `${pillar.id} ${pillar.title}` })
    for (const pr of priorities.filter((x) => x.pillar === pillar.id)) {
      const acts = g.actions.filter((a) => a.priority === `${pr.id} ${pr.title}`)
      out.push({ h: 3, text: `${pr.id} ${pr.title}` }, { p: `Basis: ${pr.basis}.` })
      if (pr.id === 'P4.3') {
        const fb = g.recommendations.filter((x) => x.results[7]?.met).length
        out.push({
          p: `${fb} of ${g.recommendations.length} access policies run a feedback and planning loop with communities (D5.2). Projected needs that today's policies stop meeting:`,
        })
        const s = projectionShortfalls(r)
        out.push({ ul: s.length ? s : ['none within 5 years'] })
        continue
      }
      const rows = phases.flatMap((ph) =>
        acts
          .filter((a) => a.phase === ph.id)
          .map(
            (a) =>
              `${ph.title}: ${a.rank}. ${a.target} — ${a.change} — unblocks ${a.unblocks.join(', ')}`,
          ),
      )
      out.push({
        ul: rows.length ? rows : ['No open actions: the landscape meets every stated need here.'],
      })
    }
  }
  out.push(
    { h: 2, text: 'D5.2 recommendations across access policies' },
    {
      table: {
        head: ['recommendation', 'policies meeting it'],
        rows: d52Recommendations.map((rec, i) => [
          rec,
          `${g.recommendations.filter((x) => x.results[i]?.met).length} of ${g.recommendations.length}`,
        ]),
      },
    },
    { h: 2, text: 'D5.3 checks across infrastructures' },
    { p: d53Note },
    {
      table: {
        head: ['check', 'infrastructures meeting it'],
        rows: d53Checks.map((c, i) => [
          c.recommendation,
          `${g.landscapeChecks.filter((x) => x.results[i]?.met).length} of ${g.landscapeChecks.length}`,
        ]),
      },
    },
  )
  return out
}

export function studyDocument(kind: ReportDocument, l: Landscape, r: ReportData): Block[] {
  return kind === 'blueprint' ? blueprintDocument(l, r) : sridaDocument(l, r)
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function blocksToMarkdown(blocks: Block[]): string {
  const out: string[] = []
  for (const b of blocks) {
    if ('h' in b) out.push(`${'#'.repeat(b.h)} ${b.text}`, '')
    else if ('p' in b) out.push(b.p, '')
    else if ('ul' in b) out.push(...(b.ul.length ? b.ul.map((x) => `- ${x}`) : ['- none']), '')
    else {
      out.push(
        `| ${b.table.head.map(mdCell).join(' | ')} |`,
        `|${b.table.head.map(() => ' --- |').join('')}`,
        ...b.table.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
        '',
      )
    }
  }
  return `${out.join('\n')}\n`
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

export function blocksToHtml(blocks: Block[]): string {
  const title = blocks.find((b): b is { h: 1; text: string } => 'h' in b && b.h === 1)?.text ?? ''
  const body = blocks
    .map((b) =>
      'h' in b
        ? `<h${b.h}>${esc(b.text)}</h${b.h}>`
        : 'p' in b
          ? `<p>${esc(b.p)}</p>`
          : 'ul' in b
            ? `<ul>${(b.ul.length ? b.ul : ['none']).map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`
            : `<table><thead><tr>${b.table.head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${b.table.rows
                .map((row) => `<tr>${row.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`)
                .join('')}</tbody></table>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}table{border-collapse:collapse}td,th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style>
</head><body>
${body}
</body></html>
`
}
