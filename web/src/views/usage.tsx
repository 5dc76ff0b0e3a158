/**
 * Usage: allocation consumption per community and service, usage per community and site over
 * time (core hours), and energy estimates.
 */
import { useMemo } from 'react'
import { listAll, type Allocation, type AllocationUsage, type UsageReport } from '../api.js'
import { TimeChart } from '../components/time-chart.js'
import { Bar, Empty, Figure, Loaded, Panel } from '../components/ui.js'
import { formatNumber } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'
import { AllocationBurnDown } from './allocation-burn-down.js'

interface Usage {
  allocations: Allocation[]
  /** Use per allocation (those of the caller's communities), with the burn-down. */
  allocationUse: AllocationUsage[]
  byCommunity: UsageReport
  bySite: UsageReport
  byDay: UsageReport
  /** Per community, usage per day. */
  communityDays: { community: string; report: UsageReport }[]
}

const day = (key: string) =>
  Math.floor(Date.parse(key.length === 10 ? `${key}T00:00:00Z` : key) / 1000)

export function UsageView() {
  const { client } = useSession()
  const usage = usePoll<Usage>(async () => {
    const [allocations, allocationUse, byCommunity, bySite, byDay] = await Promise.all([
      listAll((q) => client.landscape.allocations.list(q)),
      client.workflows.allocationUsage(),
      client.workflows.usage({ groupBy: 'community' }),
      client.workflows.usage({ groupBy: 'site' }),
      client.workflows.usage({ groupBy: 'day' }),
    ])
    const communities = byCommunity.rows.map((r) => r.key).filter((k) => k !== '' && k !== '-')
    const communityDays = await Promise.all(
      communities.slice(0, 8).map(async (community) => ({
        community,
        report: await client.workflows.usage({ groupBy: 'day', community }),
      })),
    )
    return { allocations, allocationUse, byCommunity, bySite, byDay, communityDays }
  }, 10_000)
  return (
    <>
      <h1 className="page-title">Usage and allocations</h1>
      <Loaded data={usage.data} error={usage.error}>
        {(u) => <UsageBody usage={u} />}
      </Loaded>
    </>
  )
}

function UsageBody({ usage }: { usage: Usage }) {
  const total = usage.byDay.rows.reduce(
    (t, r) => ({
      tasks: t.tasks + r.tasks,
      coreHours: t.coreHours + r.coreHours,
      energyKwh: t.energyKwh + r.energyKwh,
    }),
    { tasks: 0, coreHours: 0, energyKwh: 0 },
  )
  const chart = useMemo(() => {
    const days = [...new Set(usage.communityDays.flatMap((c) => c.report.rows.map((r) => r.key)))]
      .concat(usage.byDay.rows.map((r) => r.key))
      .filter((k, i, all) => all.indexOf(k) === i)
      .sort()
    const times = days.map(day)
    const series = usage.communityDays.map((c) => {
      const byKey = new Map(c.report.rows.map((r) => [r.key, r.coreHours]))
      return { label: c.community, values: days.map((d) => byKey.get(d) ?? 0) }
    })
    const all = new Map(usage.byDay.rows.map((r) => [r.key, r]))
    return {
      times,
      series:
        series.length > 0
          ? series
          : [{ label: 'all', values: days.map((d) => all.get(d)?.coreHours ?? 0) }],
      energy: [{ label: 'energy (est.)', values: days.map((d) => all.get(d)?.energyKwh ?? 0) }],
    }
  }, [usage])
  const byCommunity = groupAllocations(usage.allocations, (a) => a.community)
  const maxSite = Math.max(0.001, ...usage.bySite.rows.map((r) => r.coreHours))
  const maxEnergy = Math.max(0.001, ...usage.bySite.rows.map((r) => r.energyKwh))
  return (
    <>
      <div className="figures">
        <Figure label="tasks accounted" value={formatNumber(total.tasks)} />
        <Figure label="core hours" value={formatNumber(total.coreHours, 2)} testId="core-hours" />
        <Figure label="energy (kWh, est.)" value={formatNumber(total.energyKwh, 3)} />
        <Figure label="allocations" value={usage.allocations.length} testId="allocation-count" />
      </div>
      <div className="grid two">
        <Panel title="Core hours per community over time">
          {chart.times.length === 0 ? (
            <Empty>No usage recorded yet: run a workflow.</Empty>
          ) : (
            <TimeChart
              label="Core hours per community per day"
              times={chart.times}
              series={chart.series}
              unit="h"
              bars={chart.times.length < 4}
            />
          )}
        </Panel>
        <Panel title="Energy over time (estimate)">
          {chart.times.length === 0 ? (
            <Empty>No usage recorded yet.</Empty>
          ) : (
            <TimeChart
              label="Estimated energy per day"
              times={chart.times}
              series={chart.energy}
              unit="kWh"
              bars={chart.times.length < 4}
            />
          )}
        </Panel>
      </div>
      <div className="grid two">
        <Panel title="Usage per site">
          {usage.bySite.rows.length === 0 ? (
            <Empty>No usage recorded yet.</Empty>
          ) : (
            <table data-testid="site-usage">
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col" className="num">
                    Tasks
                  </th>
                  <th scope="col">Core hours</th>
                  <th scope="col">Energy (kWh, est.)</th>
                </tr>
              </thead>
              <tbody>
                {usage.bySite.rows.map((r) => (
                  <tr key={r.key}>
                    <td>{r.key}</td>
                    <td className="num">{formatNumber(r.tasks)}</td>
                    <td>
                      <MiniBar
                        value={r.coreHours}
                        max={maxSite}
                        text={formatNumber(r.coreHours, 2)}
                        tone="busy"
                      />
                    </td>
                    <td>
                      <MiniBar
                        value={r.energyKwh}
                        max={maxEnergy}
                        text={formatNumber(r.energyKwh, 3)}
                        tone="warn"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="Allocation consumption per community">
          {byCommunity.length === 0 ? (
            <Empty>No allocations in the catalogue.</Empty>
          ) : (
            <div data-testid="allocations">
              {byCommunity.map(([community, list]) => (
                <div key={community} className="alloc-group">
                  <h3>{community}</h3>
                  {list.map((a) => (
                    <Bar
                      key={a.id}
                      label={a.services ?? a.service}
                      value={a.used}
                      max={a.amount}
                      text={`${formatNumber(a.used)} / ${formatNumber(a.amount)} ${a.unit}`}
                    />
                  ))}
                </div>
              ))}
            </div>
          )}
        </Panel>
      </div>
      <Panel title="Allocation burn-down against the period">
        {usage.allocationUse.length === 0 ? (
          <Empty>No allocations of your communities.</Empty>
        ) : (
          <div className="grid two" data-testid="allocation-burn-downs">
            {usage.allocationUse.map((a) => (
              <AllocationBurnDown key={a.name} allocation={a} />
            ))}
          </div>
        )}
      </Panel>
    </>
  )
}

function MiniBar(props: { value: number; max: number; text: string; tone: string }) {
  return (
    <div className="mini-bar">
      <div className="bar-track">
        <div
          className={`bar-fill tone-${props.tone}`}
          style={{ width: `${Math.min(100, (props.value / props.max) * 100)}%` }}
        />
      </div>
      <span className="bar-text">{props.text}</span>
    </div>
  )
}

function groupAllocations(
  allocations: Allocation[],
  key: (a: Allocation) => string,
): [string, Allocation[]][] {
  const groups = new Map<string, Allocation[]>()
  for (const a of allocations) groups.set(key(a), [...(groups.get(key(a)) ?? []), a])
  return [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))
}
