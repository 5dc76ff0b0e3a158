/**
 * Renders the landscape, the fit matrix and the gap report as Markdown, standalone HTML (with a
 * heat-map of the fit matrix; no scripts, no external assets) or JSON.
 */
import type { GapReport, MatchResult, Verdict } from '../contract/index.js'
import { d53Note } from './d53.js'
import type { Landscape } from './match.js'
import { requirementKind, statedRequirements } from './requirements.js'

export interface ReportData {
  generatedAt: string
  landscape: {
    infrastructures: Array<{
      name: string
      kind: string
      country: string
      computeServices: number
      storageServices: number
      policies: number
    }>
  }
  /** useCase → infrastructure → best verdict of its compute/storage services and policy. */
  fitMatrix: {
    infrastructures: string[]
    rows: Array<{ useCase: string; verdict: Verdict; cells: Verdict[] }>
  }
  gaps: GapReport
}

const rank = { fit: 0, partial: 1, no: 2 } as const

export function reportData(
  l: Landscape,
  matches: MatchResult[],
  gaps: GapReport,
  now: Date,
): ReportData {
  const infraNames = l.infrastructures.map((i) => i.name)
  const rows = matches.map((m) => {
    const uc = l.useCases.find((u) => u.name === m.useCase)
    // The kinds of record the use case needs: an infrastructure without one of them cannot fit.
    const needs = new Set(uc ? statedRequirements(uc.profile).map(requirementKind) : [])
    needs.add('policy')
    const cells = infraNames.map((infra) => {
      const es = m.evaluations.filter((e) => e.infrastructure === infra)
      let worst = 0
      for (const kind of needs) {
        const best = es
          .filter((e) => e.kind === kind)
          .sort((a, b) => rank[a.verdict] - rank[b.verdict])[0]
        worst = Math.max(worst, best ? rank[best.verdict] : 2)
      }
      return (['fit', 'partial', 'no'] as const)[worst]!
    })
    return { useCase: m.useCase, verdict: m.verdict, cells }
  })
  return {
    generatedAt: now.toISOString(),
    landscape: {
      infrastructures: l.infrastructures.map((i) => ({
        name: i.name,
        kind: i.kind,
        country: i.country,
        computeServices: l.compute.filter((c) => c.infrastructure === i.name).length,
        storageServices: l.storage.filter((s) => s.infrastructure === i.name).length,
        policies: l.policies.filter((p) => p.infrastructure === i.name).length,
      })),
    },
    fitMatrix: { infrastructures: infraNames, rows },
    gaps,
  }
}

const mark = { fit: '●', partial: '◐', no: '○' } as const
const md = (s: string) => s.replace(/\|/g, '\\|')

export function renderMarkdown(r: ReportData): string {
  const out: string[] = [
    `# Landscape fit and gap report`,
    '',
    `Generated ${r.generatedAt}.`,
    '',
    '## Landscape',
    '',
    '| infrastructure | kind | country | compute | storage | policies |',
    '| --- | --- | --- | ---: | ---: | ---: |',
  ]
  for (const i of r.landscape.infrastructures) {
    out.push(
      `| ${i.name} | ${i.kind} | ${i.country} | ${i.computeServices} | ${i.storageServices} | ${i.policies} |`,
    )
  }
  out.push(
    '',
    '## Fit matrix',
    '',
    '● fit  ◐ partial  ○ no',
    '',
    `| use case | overall | ${r.fitMatrix.infrastructures.join(' | ')} |`,
    `| --- | --- |${r.fitMatrix.infrastructures.map(() => ' :-: |').join('')}`,
  )
  for (const row of r.fitMatrix.rows) {
    out.push(`| ${row.useCase} | ${row.verdict} | ${row.cells.map((c) => mark[c]).join(' | ')} |`)
  }
  out.push('', '## Gaps per use case', '')
  for (const u of r.gaps.perUseCase) {
    out.push(`### ${u.useCase} — ${u.verdict}`, '')
    if (u.gaps.length === 0) out.push('No gaps: the best combination covers every requirement.', '')
    else out.push(...u.gaps.map((g) => `- **${g.requirement}**: closest ${md(g.closest)}`), '')
  }
  out.push('## Cross-cutting gaps', '')
  if (r.gaps.crossCutting.length === 0) out.push('None.')
  for (const g of r.gaps.crossCutting) {
    out.push(
      `- **${g.requirement}** (${g.area}): ${g.useCases.length} use cases — ${g.useCases.join(', ')}`,
    )
  }
  out.push(
    '',
    '## Coverage per capability area',
    '',
    '| # | area | met | stated | coverage |',
    '| ---: | --- | ---: | ---: | ---: |',
  )
  for (const a of r.gaps.areas) {
    out.push(
      `| ${a.number} | ${a.area} | ${a.met} | ${a.total} | ${Math.round(a.coverage * 100)} % |`,
    )
  }
  out.push(
    '',
    '## D5.2 recommendations per access policy',
    '',
    `| policy | infrastructure | met | ${r.gaps.recommendations[0]?.results.map((_, i) => `R${i + 1}`).join(' | ') ?? ''} |`,
    `| --- | --- | ---: |${r.gaps.recommendations[0]?.results.map(() => ' :-: |').join('') ?? ''}`,
  )
  for (const p of r.gaps.recommendations) {
    out.push(
      `| ${p.policy} | ${p.infrastructure} | ${p.met}/8 | ${p.results.map((x) => (x.met ? '✓' : '✗')).join(' | ')} |`,
    )
  }
  if (r.gaps.recommendations[0]) {
    out.push(
      '',
      ...r.gaps.recommendations[0].results.map((x, i) => `R${i + 1}: ${x.recommendation}`),
    )
  }
  out.push('', '## D5.3 landscape checks per infrastructure', '', d53Note, '')
  const checks = r.gaps.landscapeChecks
  if (checks[0]) {
    out.push(
      `| infrastructure | met | ${checks[0].results.map((_, i) => `L${i + 1}`).join(' | ')} |`,
      `| --- | ---: |${checks[0].results.map(() => ' :-: |').join('')}`,
      ...checks.map(
        (c) =>
          `| ${c.infrastructure} | ${c.met}/${c.results.length} | ${c.results.map((x) => (x.met ? '✓' : '✗')).join(' | ')} |`,
      ),
      '',
      ...checks[0].results.map((x, i) => `L${i + 1}: ${x.recommendation} (${x.basis})`),
      '',
      'Why each check failed:',
      '',
      ...checks
        .filter((c) => c.met < c.results.length)
        .map(
          (c) =>
            `- **${c.infrastructure}**: ${c.results
              .map((x, i) => (x.met ? '' : `L${i + 1} ${md(x.reason)}`))
              .filter(Boolean)
              .join('; ')}`,
        ),
    )
  } else out.push('No infrastructures.')
  out.push(
    '',
    '## Projected needs and access policies (1, 3 and 5 years)',
    '',
    '| use case | growth basis | today | 1 y | 3 y | 5 y |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.gaps.projections.map(
      (p) => `| ${p.useCase} | ${md(p.basis)} | ${p.horizons.map((h) => h.verdict).join(' | ')} |`,
    ),
    '',
  )
  const shortfalls = projectionShortfalls(r)
  out.push(
    ...(shortfalls.length
      ? shortfalls.map((x) => `- ${md(x)}`)
      : ['Every policy relied on today still suffices at 5 years.']),
  )
  const checked = r.gaps.projections.flatMap((p) => p.horizons.flatMap((h) => h.policies))
  const sized = checked.filter((x) => !/size not comparable/.test(x.reason)).length
  out.push(
    '',
    `Allocation size compared in ${sized} of ${checked.length} policy checks; the others publish no typical size in comparable units, so only their period was compared.`,
  )
  out.push('', '## Recommended actions', '')
  for (const phase of ['foundation', 'integration', 'maturation'] as const) {
    const list = r.gaps.actions.filter((a) => a.phase === phase)
    out.push(`### ${phase[0]!.toUpperCase()}${phase.slice(1)}`, '')
    if (list.length === 0) out.push('None.', '')
    else {
      out.push(
        ...list.map(
          (a) =>
            `${a.rank}. **${a.target}**: ${md(a.change)} — unblocks ${a.unblocks.join(', ')} _(${a.area} · ${a.priority})_`,
        ),
        '',
      )
    }
  }
  return `${out.join('\n')}\n`
}

/** One line per use case whose policies or verdict stop sufficing at some horizon. */
export function projectionShortfalls(r: ReportData): string[] {
  const out: string[] = []
  for (const p of r.gaps.projections) {
    const today = p.horizons[0]
    for (const h of p.horizons.slice(1)) {
      const lost = h.policies.filter(
        (x) => !x.suffices && today?.policies.find((t) => t.policy === x.policy)?.suffices,
      )
      for (const x of lost) {
        out.push(`${p.useCase}: ${x.policy} suffices today, not at ${h.years} y — ${x.reason}`)
      }
      if (h.newlyUncovered.length) {
        out.push(`${p.useCase}: at ${h.years} y no longer met — ${h.newlyUncovered.join(', ')}`)
      }
      if (lost.length || h.newlyUncovered.length) break
    }
  }
  return out
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

export function renderHtml(r: ReportData): string {
  const head = r.fitMatrix.infrastructures
    .map((i) => `<th class="v"><span>${esc(i)}</span></th>`)
    .join('')
  const rows = r.fitMatrix.rows
    .map(
      (row) =>
        `<tr><th>${esc(row.useCase)}</th><td class="${row.verdict}">${row.verdict}</td>${row.cells.map((c, i) => `<td class="${c}" title="${esc(`${row.useCase} × ${r.fitMatrix.infrastructures[i]!}: ${c}`)}"></td>`).join('')}</tr>`,
    )
    .join('\n')
  const gaps = r.gaps.perUseCase
    .map(
      (u) =>
        `<h3>${esc(u.useCase)} — ${u.verdict}</h3>${u.gaps.length ? `<ul>${u.gaps.map((g) => `<li><b>${esc(g.requirement)}</b>: closest ${esc(g.closest)}</li>`).join('')}</ul>` : '<p>No gaps.</p>'}`,
    )
    .join('\n')
  const areas = r.gaps.areas
    .map(
      (a) =>
        `<tr><td>${a.number}</td><td>${esc(a.area)}</td><td>${a.met}/${a.total}</td><td><div class="bar"><div style="width:${Math.round(a.coverage * 100)}%"></div></div></td></tr>`,
    )
    .join('')
  const cross = r.gaps.crossCutting
    .map(
      (g) =>
        `<li><b>${esc(g.requirement)}</b> (${esc(g.area)}): ${esc(g.useCases.join(', '))}</li>`,
    )
    .join('')
  const actions = (['foundation', 'integration', 'maturation'] as const)
    .map(
      (phase) =>
        `<h3>${phase}</h3><ol>${
          r.gaps.actions
            .filter((a) => a.phase === phase)
            .map(
              (a) =>
                `<li value="${a.rank}"><b>${esc(a.target)}</b>: ${esc(a.change)} — unblocks ${esc(a.unblocks.join(', '))} <i>(${esc(a.area)} · ${esc(a.priority)})</i></li>`,
            )
            .join('') || '<li>None.</li>'
        }</ol>`,
    )
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Landscape fit and gap report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:2px 6px}
.heat td{width:18px;height:18px;border:1px solid #fff}.heat th.v{height:140px;vertical-align:bottom}.heat th.v span{writing-mode:vertical-rl;transform:rotate(180deg)}
td.fit{background:#2e7d32;color:#fff}td.partial{background:#f9a825}td.no{background:#e0e0e0}.heat th{text-align:left;font-weight:normal}
.key{display:inline-block;width:12px;height:12px;margin-left:8px}.key.fit{background:#2e7d32}.key.partial{background:#f9a825}.key.no{background:#e0e0e0}.bar{width:200px;background:#eee}.bar div{background:#1565c0;height:10px}
</style></head><body>
<h1>Landscape fit and gap report</h1><p>Generated ${esc(r.generatedAt)} · ${r.landscape.infrastructures.length} infrastructures · ${r.fitMatrix.rows.length} use cases</p>
<h2>Fit matrix</h2><p><span class="key fit"></span> fit <span class="key partial"></span> partial <span class="key no"></span> no</p>
<table class="heat"><thead><tr><th></th><th>overall</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>Coverage per capability area</h2><table>${areas}</table>
<h2>Cross-cutting gaps</h2><ul>${cross || '<li>None.</li>'}</ul>
<h2>D5.3 landscape checks</h2><p>${esc(d53Note)}</p><ul>${r.gaps.landscapeChecks
    .map(
      (c) =>
        `<li><b>${esc(c.infrastructure)}</b> ${c.met}/${c.results.length}: ${c.results.map((x) => `${x.met ? '✓' : '✗'} ${esc(x.recommendation)} — ${esc(x.reason)}`).join('; ')}</li>`,
    )
    .join('')}</ul>
<h2>Projected needs (1, 3 and 5 years)</h2><table><tr><th>use case</th><th>basis</th><th>today</th><th>1 y</th><th>3 y</th><th>5 y</th></tr>${r.gaps.projections
    .map(
      (p) =>
        `<tr><th>${esc(p.useCase)}</th><td>${esc(p.basis)}</td>${p.horizons.map((h) => `<td class="${h.verdict}">${h.verdict}</td>`).join('')}</tr>`,
    )
    .join('')}</table><ul>${projectionShortfalls(r)
    .map((x) => `<li>${esc(x)}</li>`)
    .join('')}</ul>
<h2>Recommended actions</h2>${actions}
<h2>Gaps per use case</h2>${gaps}
</body></html>
`
}
