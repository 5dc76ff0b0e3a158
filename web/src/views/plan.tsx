/**
 * What-if: pick a shipped scenario (or paste one), simulate it on the server — the Run face's
 * placement, scheduling and brokering on a virtual clock — and read storage, links, tasks,
 * allocations and energy over time, the first bottleneck and its action; download the
 * standalone HTML report.
 */
import { useState } from 'react'
import type { SimulationReport } from '../api.js'
import { TimeChart } from '../components/time-chart.js'
import { Empty, Figure, Loaded, Panel, Problem } from '../components/ui.js'
import { formatNumber } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

type Source = { name: string } | { scenario: string }

export function PlanView() {
  const { client } = useSession()
  const scenarios = usePoll(() => client.plan.scenarios(), 600_000)
  const [chosen, setChosen] = useState('')
  const [yaml, setYaml] = useState('')
  const [running, setRunning] = useState(false)
  const [report, setReport] = useState<SimulationReport | null>(null)
  const [error, setError] = useState<unknown>(null)

  const source = (): Source => (yaml.trim() !== '' ? { scenario: yaml } : { name: chosen })
  const run = async () => {
    setRunning(true)
    setError(null)
    try {
      setReport(await client.plan.simulate(source()))
    } catch (err) {
      setError(err)
      setReport(null)
    } finally {
      setRunning(false)
    }
  }
  const download = async () => {
    const html = await client.plan.simulateHtml(source())
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }))
    const a = document.createElement('a')
    a.href = url
    a.download = `${report?.scenario.name ?? 'simulation'}.html`
    a.click()
    URL.revokeObjectURL(url)
  }

  return (
    <>
      <h1 className="page-title">What-if planning</h1>
      <Panel title="Scenario">
        <Loaded data={scenarios.data} error={scenarios.error}>
          {(list) => (
            <div className="plan-form">
              <label>
                Shipped scenario{' '}
                <select
                  aria-label="Shipped scenario"
                  value={chosen}
                  onChange={(e) => setChosen(e.target.value)}
                >
                  <option value="">choose…</option>
                  {list.items.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.title} ({s.days} days)
                    </option>
                  ))}
                </select>
              </label>
              <label>
                or paste a scenario (YAML; see docs/planning.md)
                <textarea
                  aria-label="Scenario YAML"
                  rows={6}
                  value={yaml}
                  onChange={(e) => setYaml(e.target.value)}
                />
              </label>
              <div>
                <button
                  type="button"
                  disabled={running || (chosen === '' && yaml.trim() === '')}
                  onClick={() => void run()}
                >
                  {running ? 'Simulating…' : 'Simulate'}
                </button>{' '}
                {report && (
                  <button type="button" onClick={() => void download()}>
                    Download HTML report
                  </button>
                )}
              </div>
            </div>
          )}
        </Loaded>
        {error !== null && <Problem error={error} />}
      </Panel>
      {report && <ReportBody report={report} />}
    </>
  )
}

function ReportBody({ report }: { report: SimulationReport }) {
  const s = report.summary
  const t0 = Date.parse(report.scenario.start) / 1000
  const times = report.hours.map((h) => t0 + h * 3600)
  const links = [...report.links]
    .sort((a, b) => sum(b.throughputGbps) - sum(a.throughputGbps))
    .slice(0, 6)
  const published = report.published as {
    tb?: number
    files?: number
    hours?: number
    peakLinkGbps?: number
    source: string
  } | null
  const b = report.bottleneck
  return (
    <>
      <div className="figures">
        <Figure
          label="replicated (TB)"
          value={formatNumber(s.replicatedTB)}
          testId="sim-replicated"
        />
        <Figure label="files replicated" value={formatNumber(s.replicatedFiles)} />
        <Figure
          label="last copy arrived (h)"
          value={s.distributionHours === null ? 'not finished' : formatNumber(s.distributionHours)}
        />
        <Figure label="mean throughput (Gb/s)" value={formatNumber(s.meanThroughputGbps)} />
        <Figure label="tasks not placed" value={formatNumber(s.tasksUnplaced)} />
        <Figure
          label="energy (MWh, est.)"
          value={formatNumber(
            (s.energyKwh.compute + s.energyKwh.storage + s.energyKwh.network) / 1000,
          )}
        />
      </div>
      <Panel title="First bottleneck" testId="sim-bottleneck">
        {b ? (
          <p>
            <strong>{b.kind}</strong> at hour {b.hour} ({b.where}): {b.detail}.<br />
            Action: {b.action.change} — gap-report requirement <code>{b.action.requirement}</code> (
            {b.action.phase} phase).
          </p>
        ) : (
          <Empty>None met.</Empty>
        )}
      </Panel>
      {published && (
        <Panel title="Published and simulated">
          <table>
            <thead>
              <tr>
                <th>figure</th>
                <th>published</th>
                <th>simulated</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>TB</td>
                <td>{published.tb ?? '-'}</td>
                <td>{s.replicatedTB}</td>
              </tr>
              <tr>
                <td>files</td>
                <td>{published.files ?? '-'}</td>
                <td>{s.replicatedFiles}</td>
              </tr>
              <tr>
                <td>hours</td>
                <td>{published.hours ?? '-'}</td>
                <td>{s.distributionHours ?? 'not finished'}</td>
              </tr>
              <tr>
                <td>peak site-to-site Gb/s</td>
                <td>{published.peakLinkGbps ?? '-'}</td>
                <td>{s.peakLinkGbps}</td>
              </tr>
            </tbody>
          </table>
          <p className="hint">{published.source}</p>
        </Panel>
      )}
      <div className="grid two">
        <Panel title="Disk used per site">
          <TimeChart
            label="Disk used per site"
            times={times}
            unit="TB"
            series={report.sites.map((x) => ({ label: x.name, values: x.usedTB }))}
          />
        </Panel>
        <Panel title="Throughput of the busiest links">
          <TimeChart
            label="Throughput per link"
            times={times}
            unit="Gb/s"
            series={links.map((l) => ({ label: `${l.from}→${l.to}`, values: l.throughputGbps }))}
          />
        </Panel>
        <Panel title="Transfer backlog of the busiest links">
          <TimeChart
            label="Backlog per link"
            times={times}
            unit="TB"
            series={links.map((l) => ({ label: `${l.from}→${l.to}`, values: l.backlogTB }))}
          />
        </Panel>
        <Panel title="Tasks">
          <TimeChart
            label="Tasks queued and running"
            times={times}
            unit="tasks"
            series={[
              { label: 'queued', values: report.tasks.queued },
              { label: 'running', values: report.tasks.running },
              { label: 'not placed', values: report.tasks.unplaced },
            ]}
          />
        </Panel>
        <Panel title="Allocation burn-down">
          {report.allocations.length === 0 ? (
            <Empty>The scenario grants no allocations.</Empty>
          ) : (
            <TimeChart
              label="Core-hours left"
              times={times}
              unit="core-h"
              series={report.allocations.map((a) => ({ label: a.name, values: a.coreHoursLeft }))}
            />
          )}
        </Panel>
        <Panel title="Energy (estimate, cumulative)">
          <TimeChart
            label="Energy, estimated"
            times={times}
            unit="kWh"
            series={[{ label: 'energy (est.)', values: report.energyKwh }]}
          />
        </Panel>
      </div>
    </>
  )
}

const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0)
