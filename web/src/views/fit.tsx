/**
 * Fit and gaps: the use case × service fit matrix as a heat-map (reasons on hover and click),
 * cross-cutting gaps, coverage per Technical Blueprint area, ranked actions, and the knowledge
 * hub's documents linked from each.
 */
import { useState } from 'react'
import {
  listAll,
  type Evaluation,
  type GapReport,
  type KnowledgeDocument,
  type MatchResult,
  type UseCase,
} from '../api.js'
import { Bar, Choice, Loaded, Panel, StateBadge } from '../components/ui.js'
import { formatPercent } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

interface Fit {
  useCases: UseCase[]
  matches: MatchResult[]
  gaps: GapReport
  documents: KnowledgeDocument[]
}

const serviceKinds = ['compute', 'storage', 'policy'] as const
type ServiceKind = (typeof serviceKinds)[number]

export function FitView() {
  const { client } = useSession()
  const fit = usePoll<Fit>(async () => {
    const [useCases, gaps, documents] = await Promise.all([
      listAll((q) => client.landscape.useCases.list(q)),
      client.landscape.gaps(),
      listAll((q) => client.landscape.documents.list(q)),
    ])
    const matches = await Promise.all(useCases.map((u) => client.landscape.match(u.name)))
    return { useCases, matches, gaps, documents }
  }, 60_000)
  return (
    <>
      <h1 className="page-title">Fit and gaps</h1>
      <Loaded data={fit.data} error={fit.error}>
        {(f) => <FitBody fit={f} />}
      </Loaded>
    </>
  )
}

/** Heat-map colour: red (no fit) through amber to green (every requirement met). */
function heat(score: number): string {
  const hue = Math.round(Math.max(0, Math.min(1, score)) * 130)
  return `hsl(${hue} 65% ${48 + (1 - score) * 8}%)`
}

function FitBody({ fit }: { fit: Fit }) {
  const [kind, setKind] = useState<ServiceKind>('compute')
  const [picked, setPicked] = useState<{ useCase: string; evaluation: Evaluation }>()
  const titles = new Map(fit.useCases.map((u) => [u.name, u.title]))
  const columns = [
    ...new Map(
      fit.matches
        .flatMap((m) => m.evaluations)
        .filter((e) => e.kind === kind)
        .map((e) => [e.name, e] as const),
    ).values(),
  ].sort((a, b) => a.infrastructure.localeCompare(b.infrastructure) || a.name.localeCompare(b.name))
  const docsFor = (test: (d: KnowledgeDocument) => boolean) => fit.documents.filter(test)
  const counts = { fit: 0, partial: 0, no: 0 }
  for (const m of fit.matches) counts[m.verdict]++

  return (
    <>
      <div className="figures">
        <div className="figure">
          <div className="figure-value" data-testid="usecase-count">
            {fit.useCases.length}
          </div>
          <div className="figure-label">use cases</div>
        </div>
        <div className="figure">
          <div className="figure-value tone-text-good">{counts.fit}</div>
          <div className="figure-label">fit fully</div>
        </div>
        <div className="figure">
          <div className="figure-value tone-text-warn">{counts.partial}</div>
          <div className="figure-label">fit partly</div>
        </div>
        <div className="figure">
          <div className="figure-value tone-text-bad">{counts.no}</div>
          <div className="figure-label">no fit</div>
        </div>
        <div className="figure">
          <div className="figure-value" data-testid="gap-count">
            {fit.gaps.crossCutting.length}
          </div>
          <div className="figure-label">cross-cutting gaps</div>
        </div>
      </div>
      <Panel
        title="Use case × service fit"
        actions={
          <Choice label="Services shown" options={serviceKinds} value={kind} onChange={setKind} />
        }
      >
        <div className="heatmap-wrap">
          <div className="table-scroll">
            <table className="heatmap" data-testid="heatmap">
              <thead>
                <tr>
                  <th scope="col" className="sticky">
                    Use case
                  </th>
                  <th scope="col">Verdict</th>
                  {columns.map((c) => (
                    <th
                      key={c.name}
                      scope="col"
                      className="rot"
                      title={`${c.name} (${c.infrastructure})`}
                    >
                      <span>{c.name}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {fit.matches.map((m) => {
                  const byName = new Map(m.evaluations.map((e) => [e.name, e]))
                  return (
                    <tr key={m.useCase}>
                      <th scope="row" className="sticky" title={m.useCase}>
                        {titles.get(m.useCase) ?? m.useCase}
                      </th>
                      <td>
                        <StateBadge state={m.verdict} />
                      </td>
                      {columns.map((c) => {
                        const e = byName.get(c.name)
                        if (!e) return <td key={c.name} className="cell none" />
                        const selected =
                          picked?.useCase === m.useCase && picked.evaluation.name === e.name
                        return (
                          <td key={c.name} className="cell">
                            <button
                              type="button"
                              className={selected ? 'heat selected' : 'heat'}
                              style={{ background: heat(e.score) }}
                              aria-label={`${m.useCase} on ${e.name}: ${e.verdict}, score ${e.score}`}
                              title={`${e.name}: ${e.verdict} (${formatPercent(e.score)})\n${e.reasons
                                .filter((r) => r.verdict !== 'fit')
                                .map((r) => `• ${r.reason}`)
                                .join('\n')}`}
                              onClick={() => setPicked({ useCase: m.useCase, evaluation: e })}
                            >
                              {Math.round(e.score * 100)}
                            </button>
                          </td>
                        )
                      })}
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          <aside className="reasons" aria-live="polite" data-testid="fit-reasons">
            {picked ? (
              <>
                <h3>
                  {titles.get(picked.useCase) ?? picked.useCase} on {picked.evaluation.name}
                </h3>
                <p>
                  <StateBadge state={picked.evaluation.verdict} /> score{' '}
                  {formatPercent(picked.evaluation.score)} · {picked.evaluation.infrastructure}
                </p>
                <ul className="reason-list">
                  {picked.evaluation.reasons.map((r) => (
                    <li key={r.requirement} className={`tone-border-${r.verdict}`}>
                      <code>{r.requirement}</code> <StateBadge state={r.verdict} />
                      <div>{r.reason}</div>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="muted">
                Pick a cell to see, requirement by requirement, why a service fits a use case or
                not. Hover for a summary.
              </p>
            )}
          </aside>
        </div>
        <p className="legend">
          <span className="swatch" style={{ background: heat(0) }} /> no requirement met
          <span className="swatch" style={{ background: heat(0.5) }} /> half
          <span className="swatch" style={{ background: heat(1) }} /> all met (score in %)
        </p>
      </Panel>
      <div className="grid two">
        <Panel title="Coverage per Technical Blueprint area">
          {fit.gaps.areas.map((a) => (
            <Bar
              key={a.area}
              label={`${a.number}. ${a.area}`}
              value={a.met}
              max={a.total}
              text={`${a.met}/${a.total}`}
              tone={a.coverage >= 0.8 ? 'good' : a.coverage >= 0.5 ? 'warn' : 'bad'}
            />
          ))}
        </Panel>
        <Panel title="Cross-cutting gaps">
          <ul className="gap-list" data-testid="gap-list">
            {fit.gaps.crossCutting.map((g) => (
              <li key={g.requirement}>
                <div>
                  <code>{g.requirement}</code> <span className="muted small">{g.area}</span>
                </div>
                <div className="small">
                  missing for {g.useCases.map((u) => titles.get(u) ?? u).join(', ')}
                </div>
                {g.closest[0] && <div className="muted small">closest: {g.closest[0]}</div>}
                <DocLinks docs={docsFor((d) => d.links.gaps.includes(g.requirement))} />
              </li>
            ))}
          </ul>
        </Panel>
      </div>
      <Panel title="Recommended actions, ranked">
        <ol className="actions" data-testid="actions">
          {fit.gaps.actions.map((a) => (
            <li key={a.rank}>
              <span className={`phase phase-${a.phase}`}>{a.phase}</span>
              <div>
                <strong>{a.target}</strong>: {a.change}
                {a.unblocks.length > 0 && (
                  <div className="muted small">
                    unblocks {a.unblocks.map((u) => titles.get(u) ?? u).join(', ')}
                  </div>
                )}
                <DocLinks
                  docs={docsFor((d) => a.unblocks.some((u) => d.links.useCases.includes(u))).slice(
                    0,
                    3,
                  )}
                />
              </div>
            </li>
          ))}
        </ol>
      </Panel>
      <Panel title="Knowledge hub">
        <ul className="doc-grid">
          {fit.documents.map((d) => (
            <li key={d.id}>
              {d.url ? (
                <a href={d.url} target="_blank" rel="noopener noreferrer">
                  {d.title}
                </a>
              ) : (
                <strong>{d.title}</strong>
              )}
              <div className="muted small">{d.tags.join(' · ')}</div>
            </li>
          ))}
        </ul>
      </Panel>
    </>
  )
}

function DocLinks({ docs }: { docs: KnowledgeDocument[] }) {
  if (docs.length === 0) return null
  return (
    <div className="doc-links small">
      <span className="muted">read: </span>
      {docs.map((d, i) => (
        <span key={d.id}>
          {i > 0 && ', '}
          {d.url ? (
            <a href={d.url} target="_blank" rel="noopener noreferrer">
              {d.title}
            </a>
          ) : (
            d.title
          )}
        </span>
      ))}
    </div>
  )
}
