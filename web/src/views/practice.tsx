/**
 * Communities of practice (D3.1): the communities and their working groups with charters and
 * members, survey results aggregated across respondents (per question, per community, per
 * month) with the reviews that carried them into use-case profiles, findings and drafts under
 * consultation, and a search of the knowledge hub.
 */
import { useState, type FormEvent } from 'react'
import {
  listAll,
  type Community,
  type Draft,
  type Finding,
  type GroupSummary,
  type HubHit,
  type Questionnaire,
  type QuestionSummary,
  type Results,
} from '../api.js'
import { Empty, Figure, Loaded, Panel, Problem, StateBadge } from '../components/ui.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

interface Practice {
  communities: Community[]
  groups: GroupSummary[]
  findings: Finding[]
  drafts: Draft[]
  surveys: Array<{ questionnaire: Questionnaire; results: Results }>
}

export function PracticeView() {
  const { client } = useSession()
  const practice = usePoll<Practice>(async () => {
    const p = client.practice
    const [communities, groups, findings, drafts, list] = await Promise.all([
      listAll((q) => client.catalog.listCommunities(q)),
      p.groups(),
      p.findings(),
      p.drafts(),
      p.questionnaires(),
    ])
    const surveys = await Promise.all(
      list.map(async (s) => ({
        questionnaire: await p.questionnaire(s.name),
        results: await p.results(s.name),
      })),
    )
    return { communities, groups, findings, drafts, surveys }
  }, 30_000)
  return (
    <>
      <h1 className="page-title">Communities of practice</h1>
      <Loaded data={practice.data} error={practice.error}>
        {(p) => <PracticeBody practice={p} />}
      </Loaded>
    </>
  )
}

function PracticeBody({ practice }: { practice: Practice }) {
  const { communities, groups, findings, drafts, surveys } = practice
  const responses = surveys.reduce((n, s) => n + s.results.responses, 0)
  return (
    <>
      <div className="figures">
        <Figure label="communities" value={communities.length} testId="community-count" />
        <Figure label="working groups" value={groups.length} testId="group-count" />
        <Figure label="survey responses" value={responses} testId="response-count" />
        <Figure
          label="findings validated"
          value={`${findings.filter((f) => f.status === 'validated').length} / ${findings.length}`}
        />
        <Figure
          label="drafts in consultation"
          value={drafts.filter((d) => d.status === 'consultation').length}
        />
      </div>
      <div className="grid two">
        <Panel title="Communities and working groups" testId="groups">
          {communities.length === 0 ? (
            <Empty>No communities yet.</Empty>
          ) : (
            <div className="table-scroll tall">
              <table>
                <thead>
                  <tr>
                    <th scope="col">community</th>
                    <th scope="col">working groups</th>
                  </tr>
                </thead>
                <tbody>
                  {communities.map((c) => (
                    <tr key={c.name}>
                      <td>
                        {c.title}
                        <div className="muted small">{c.field ?? c.name}</div>
                      </td>
                      <td>
                        {groups
                          .filter((g) => g.community === c.name)
                          .map((g) => (
                            <div key={g.name} className="wg" data-testid="working-group">
                              <strong>{g.title}</strong>{' '}
                              <span className="muted small">
                                {g.members} members · {g.meetings} meetings
                                {g.myRole ? ` · you: ${g.myRole}` : ''}
                              </span>
                              {g.charter && <div className="small">{g.charter}</div>}
                            </div>
                          ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
        <HubSearch />
      </div>
      {surveys.length === 0 ? (
        <Panel title="Survey results">
          <Empty>No questionnaires yet.</Empty>
        </Panel>
      ) : (
        surveys.map((s) => <SurveyPanel key={s.questionnaire.name} {...s} />)
      )}
      <div className="grid two">
        <Panel title="Findings" testId="findings">
          {findings.length === 0 ? (
            <Empty>No findings yet.</Empty>
          ) : (
            <ul className="plain">
              {findings.map((f) => (
                <li key={f.name}>
                  <StateBadge state={f.status} /> {f.statement}{' '}
                  <span className="muted small">
                    {f.supports} supporting, {f.contests} contesting interview(s)
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title="Drafts under consultation" testId="drafts">
          {drafts.length === 0 ? (
            <Empty>No drafts yet.</Empty>
          ) : (
            drafts.map((d) => (
              <div key={d.name} className="wg">
                <strong>{d.title}</strong> <StateBadge state={d.status} />
                <div className="muted small">
                  {d.comments.length} comments,{' '}
                  {d.comments.filter((c) => c.status === 'open').length} open
                </div>
              </div>
            ))
          )}
        </Panel>
      </div>
    </>
  )
}

function SurveyPanel({
  questionnaire,
  results,
}: {
  questionnaire: Questionnaire
  results: Results
}) {
  return (
    <Panel title={`Survey results: ${questionnaire.title}`} testId="survey-results">
      <p className="muted small">
        version {results.version} of {questionnaire.latestVersion} ·{' '}
        <span data-testid="survey-responses">{results.responses}</span> responses · by community:{' '}
        {results.byCommunity.map((c) => `${c.community} ${c.responses}`).join(', ') || '-'} · by
        month: {results.overTime.map((p) => `${p.period} ${p.responses}`).join(', ') || '-'}
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">question</th>
              <th scope="col" className="num">
                answered
              </th>
              <th scope="col">result</th>
              <th scope="col">feeds</th>
            </tr>
          </thead>
          <tbody>
            {results.questions.map((q) => (
              <tr key={q.id}>
                <td>{q.text}</td>
                <td className="num">{q.answered}</td>
                <td>{summaryText(q)}</td>
                <td className="small">
                  {q.profilePath ?? '-'}
                  {q.profilePath && q.profilePath in results.proposal
                    ? ` → ${JSON.stringify(results.proposal[q.profilePath])}`
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small">
        {questionnaire.reviews.length === 0
          ? 'Not accepted into any profile yet: a reviewer decides.'
          : questionnaire.reviews
              .map(
                (r) =>
                  `Accepted into ${r.useCase} by ${r.reviewer} on ${r.acceptedAt.slice(0, 10)}`,
              )
              .join('; ')}
      </p>
    </Panel>
  )
}

function summaryText(q: QuestionSummary): string {
  if (q.median !== undefined) {
    return `median ${q.median}${q.unit ? ` ${q.unit}` : ''} (${q.min}–${q.max})`
  }
  if (q.counts) {
    return Object.entries(q.counts)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')
  }
  return q.answered > 0 ? 'free text (kept with the respondents)' : '-'
}

function HubSearch() {
  const { client } = useSession()
  const [query, setQuery] = useState('')
  const [hits, setHits] = useState<HubHit[]>()
  const [error, setError] = useState<unknown>()
  const search = async (e: FormEvent) => {
    e.preventDefault()
    if (query.trim() === '') return
    setError(undefined)
    try {
      setHits(await client.practice.search(query.trim()))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <Panel title="Knowledge hub">
      <form onSubmit={(e) => void search(e)} role="search">
        <div className="field">
          <label htmlFor="hub-q">Search documents, charters, meetings, findings, drafts</label>
          <input
            id="hub-q"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {error !== undefined && <Problem error={error} />}
      {hits !== undefined &&
        (hits.length === 0 ? (
          <Empty>Nothing found.</Empty>
        ) : (
          <ul className="plain" data-testid="hub-hits">
            {hits.map((h) => (
              <li key={`${h.kind}:${h.name}:${h.snippet}`}>
                <span className="muted small">{h.kind}</span> <strong>{h.title}</strong>
                <div className="small">{h.snippet}</div>
              </li>
            ))}
          </ul>
        ))}
    </Panel>
  )
}
