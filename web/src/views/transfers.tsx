/**
 * Transfers: per link, transfers active and queued (sampled while the page is open) and
 * throughput over time; failures by class; the latest transfers.
 */
import { useEffect, useMemo, useState } from 'react'
import { TimeChart } from '../components/time-chart.js'
import { Bar, Empty, Figure, Loaded, Panel, StateBadge } from '../components/ui.js'
import { formatBytes, formatTime } from '../format.js'
import { useSession } from '../session.js'
import { loadTransferStats, type TransferStats } from '../transfer-stats.js'
import { usePoll } from '../use-poll.js'

interface Sample {
  t: number
  active: number
  queued: number
}

export function TransfersView() {
  const { client } = useSession()
  const stats = usePoll(() => loadTransferStats(client), 3_000)
  const [samples, setSamples] = useState<Sample[]>([])
  useEffect(() => {
    const s = stats.data
    if (!s) return
    const active = s.links.reduce((n, l) => n + l.active, 0)
    const queued = s.links.reduce((n, l) => n + l.queued, 0)
    setSamples((prev) => [...prev.slice(-199), { t: Date.now() / 1000, active, queued }])
  }, [stats.data])

  return (
    <>
      <h1 className="page-title">Transfers</h1>
      <Loaded data={stats.data} error={stats.error}>
        {(s) => <TransfersBody stats={s} samples={samples} />}
      </Loaded>
    </>
  )
}

function TransfersBody({ stats, samples }: { stats: TransferStats; samples: Sample[] }) {
  const total = (key: 'active' | 'queued' | 'done' | 'failed') =>
    stats.links.reduce((n, l) => n + l[key], 0)
  const throughputSeries = useMemo(
    () =>
      stats.links.map((l) => ({
        label: l.link,
        values: l.throughput.map((v) => v / 1e6),
      })),
    [stats],
  )
  const queueTimes = useMemo(() => samples.map((s) => s.t), [samples])
  const queueSeries = useMemo(
    () => [
      { label: 'active', values: samples.map((s) => s.active) },
      { label: 'queued', values: samples.map((s) => s.queued) },
    ],
    [samples],
  )
  const failures = Object.entries(stats.failuresByClass).sort((a, b) => b[1] - a[1])
  const maxFailures = Math.max(1, ...failures.map(([, n]) => n))
  return (
    <>
      <div className="figures">
        <Figure label="active" value={total('active')} testId="transfers-active" />
        <Figure label="queued" value={total('queued')} />
        <Figure label="done" value={total('done')} testId="transfers-done" />
        <Figure label="failed" value={total('failed')} />
        <Figure label="links" value={stats.links.length} />
      </div>
      <div className="grid two">
        <Panel title="Throughput per link (MB/s, per minute)">
          {stats.links.length === 0 ? (
            <Empty>No transfers yet. Add a replication rule to start some.</Empty>
          ) : (
            <TimeChart
              label="Throughput per link"
              times={stats.times}
              series={throughputSeries}
              unit="MB/s"
              bars={stats.links.length === 1}
            />
          )}
        </Panel>
        <Panel title="Active and queued (since this page opened)">
          {samples.length < 2 ? (
            <Empty>Collecting samples…</Empty>
          ) : (
            <TimeChart
              label="Active and queued transfers"
              times={queueTimes}
              series={queueSeries}
              unit=""
            />
          )}
        </Panel>
      </div>
      <div className="grid two">
        <Panel title="Links">
          {stats.links.length === 0 ? (
            <Empty>No links in use.</Empty>
          ) : (
            <table data-testid="link-table">
              <thead>
                <tr>
                  <th scope="col">Link</th>
                  <th scope="col" className="num">
                    Active
                  </th>
                  <th scope="col" className="num">
                    Queued
                  </th>
                  <th scope="col" className="num">
                    Done
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col" className="num">
                    Moved
                  </th>
                  <th scope="col" className="num">
                    Limit
                  </th>
                  <th scope="col" className="num">
                    Success
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.links.map((l) => (
                  <tr key={l.link}>
                    <td>
                      {l.link}
                      {l.closed ? (
                        <span className="badge" title="no direct route: files go multi-hop">
                          {' '}
                          closed · multi-hop
                        </span>
                      ) : null}
                    </td>
                    <td className="num">{l.active}</td>
                    <td className="num">{l.queued}</td>
                    <td className="num">{l.done}</td>
                    <td className="num">{l.failed}</td>
                    <td className="num">{formatBytes(l.bytesDone)}</td>
                    <td className="num">{l.activeLimit ?? ''}</td>
                    <td className="num">
                      {l.successRate == null ? '' : `${Math.round(l.successRate * 100)} %`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="Failures by class">
          {failures.length === 0 ? (
            <Empty>No failures.</Empty>
          ) : (
            failures.map(([cls, n]) => (
              <Bar
                key={cls}
                label={<code>{cls}</code>}
                value={n}
                max={maxFailures}
                text={`${n}`}
                tone="bad"
              />
            ))
          )}
        </Panel>
      </div>
      <Panel title="Latest transfers">
        {stats.recent.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <div className="table-scroll tall">
            <table>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">To</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Updated</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {stats.recent.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.scope}:{t.name}
                    </td>
                    <td>{t.endpoint}</td>
                    <td>
                      <StateBadge state={t.state} />
                    </td>
                    <td className="num">{formatBytes(t.bytes)}</td>
                    <td className="num">{t.attempts}</td>
                    <td>{formatTime(t.updatedAt)}</td>
                    <td className="small">{t.lastError ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </>
  )
}
