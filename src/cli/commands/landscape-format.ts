/** Human-readable renderings of match results and gap reports for `continuum landscape`. */
import type { Evaluation, GapReport, MatchResult } from '../../contract/index.js'

const icon = { fit: 'FIT    ', partial: 'PARTIAL', no: 'NO     ' } as const

export function formatMatch(m: MatchResult, top: number): string {
  const lines = [
    `${m.useCase}: ${m.verdict.toUpperCase()}`,
    '',
    'Best combination:',
    `  compute   ${m.best.compute.join(', ') || '-'}`,
    `  storage   ${m.best.storage.join(', ') || '-'}`,
    `  policies  ${m.best.policies.join(', ') || '-'}`,
  ]
  if (m.best.uncovered.length) lines.push(`  not covered: ${m.best.uncovered.join(', ')}`)
  for (const kind of ['compute', 'storage', 'policy'] as const) {
    const es = m.evaluations.filter((e: Evaluation) => e.kind === kind)
    if (es.length === 0) continue
    lines.push(
      '',
      `${kind === 'policy' ? 'Access policies' : `${kind[0]!.toUpperCase()}${kind.slice(1)} services`} (best ${Math.min(top, es.length)} of ${es.length}):`,
    )
    for (const e of es.slice(0, top)) {
      lines.push(`  ${icon[e.verdict]} ${e.name} (${e.infrastructure})`)
      for (const r of e.reasons) {
        lines.push(
          `      ${r.verdict === 'fit' ? '✓' : r.verdict === 'partial' ? '~' : '✗'} ${r.reason}`,
        )
      }
    }
  }
  return lines.join('\n')
}

/** The gap report as text: everything --json has; `limit` caps the actions shown per phase. */
export function formatGaps(g: GapReport, limit = Infinity): string {
  const lines: string[] = ['Gaps per use case:']
  for (const u of g.perUseCase) {
    lines.push(`  ${u.useCase}: ${u.verdict}`)
    for (const x of u.gaps) lines.push(`    ✗ ${x.requirement} — closest: ${x.closest}`)
  }
  lines.push('', 'Cross-cutting gaps:')
  for (const x of g.crossCutting) {
    lines.push(
      `  ${x.requirement} (${x.area}): ${x.useCases.length} use cases — ${x.useCases.join(', ')}`,
    )
  }
  if (g.crossCutting.length === 0) lines.push('  none')
  lines.push('', 'Coverage per capability area:')
  for (const a of g.areas) {
    lines.push(
      `  ${String(a.number).padStart(2)}. ${a.area.padEnd(38)} ${String(Math.round(a.coverage * 100)).padStart(3)} %  (${a.met}/${a.total})`,
    )
  }
  lines.push('', 'D5.2 recommendations met per access policy:')
  for (const r of g.recommendations) {
    lines.push(`  ${r.policy} (${r.infrastructure}): ${r.met}/${r.results.length}`)
    for (const x of r.results) lines.push(`    ${x.met ? '✓' : '✗'} ${x.recommendation}`)
  }
  if (g.recommendations.length === 0) lines.push('  none')
  lines.push('', "D5.3 landscape checks per infrastructure (Continuum's reading of D5.3):")
  for (const c of g.landscapeChecks) {
    lines.push(`  ${c.infrastructure}: ${c.met}/${c.results.length}`)
    for (const x of c.results) {
      lines.push(`    ${x.met ? '✓' : '✗'} ${x.recommendation} — ${x.reason}`)
    }
  }
  if (g.landscapeChecks.length === 0) lines.push('  none')
  lines.push('', 'Projected needs (today / 1 / 3 / 5 years):')
  for (const p of g.projections) {
    lines.push(`  ${p.useCase}: ${p.horizons.map((h) => h.verdict).join(' / ')}  (${p.basis})`)
    const today = p.horizons[0]
    const told = new Set<string>()
    for (const h of p.horizons.slice(1)) {
      for (const x of h.policies) {
        const was = today?.policies.find((t) => t.policy === x.policy)?.suffices
        // Only the first horizon a policy stops sufficing at: later ones follow from it.
        if (!x.suffices && was && !told.has(x.policy)) {
          told.add(x.policy)
          lines.push(`    ✗ ${x.policy} suffices today, not at ${h.years} y — ${x.reason}`)
        }
      }
      const lost = h.newlyUncovered.filter((k) => !told.has(k))
      for (const k of lost) told.add(k)
      if (lost.length) lines.push(`    ✗ at ${h.years} y no longer met: ${lost.join(', ')}`)
    }
  }
  if (g.projections.length === 0) lines.push('  none')
  lines.push('', 'Recommended actions (SRIDA phase; Blueprint area · SRIDA priority):')
  for (const phase of ['foundation', 'integration', 'maturation'] as const) {
    const all = g.actions.filter((a) => a.phase === phase)
    const list = all.slice(0, limit)
    lines.push(`  ${phase}:`)
    for (const a of list) {
      lines.push(
        `    ${a.rank}. ${a.target}: ${a.change} — unblocks ${a.unblocks.join(', ')} [${a.area} · ${a.priority}]`,
      )
    }
    if (all.length === 0) lines.push('    none')
    else if (list.length < all.length) {
      lines.push(`    … ${all.length - list.length} more (without --limit: all)`)
    }
  }
  return lines.join('\n')
}
