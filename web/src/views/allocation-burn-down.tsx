/**
 * One allocation's burn-down against its period: what is left of its first grant each day (the
 * tasks charged to it, from the server's usage per allocation) beside the even burn that would
 * spend it exactly by the period's end, and a bar per grant with what is used of it.
 */
import type { AllocationUsage } from '../api.js'
import { TimeChart } from '../components/time-chart.js'
import { Bar } from '../components/ui.js'
import { formatNumber } from '../format.js'

const dayS = 86_400
const at = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000)

/** Times (at most ~60, evenly spaced days) from the period's start to today or its end. */
export function burnDownSeries(a: AllocationUsage, nowS: number) {
  const grant = a.grants[0]
  const amount = grant?.amount ?? 0
  const firstUse = a.burnDown[0]?.day
  const start = a.periodStart ? at(a.periodStart) : firstUse ? at(firstUse) : nowS
  const end = a.periodEnd ? at(a.periodEnd) + dayS : null
  const last = Math.max(start, Math.min(nowS, end ?? nowS))
  const step = Math.max(dayS, Math.ceil((last - start) / 60 / dayS) * dayS)
  const times: number[] = []
  for (let t = start; t < last; t += step) times.push(t)
  times.push(last)
  // Catalogue `used` (use outside Continuum) counts from the start; tasks add on their days.
  const before = (grant?.used ?? 0) - (a.burnDown.at(-1)?.used ?? 0)
  const left = times.map((t) => {
    let used = Math.max(0, before)
    for (const d of a.burnDown) if (at(d.day) <= t) used = Math.max(used, d.used)
    return amount - used
  })
  const even =
    end === null ? null : times.map((t) => amount * Math.max(0, 1 - (t - start) / (end - start)))
  return {
    times,
    series: [
      { label: `${grant?.unit ?? ''} left`, values: left },
      ...(even ? [{ label: 'even burn to period end', values: even }] : []),
    ],
  }
}

export function AllocationBurnDown({ allocation: a }: { allocation: AllocationUsage }) {
  const chart = burnDownSeries(a, Date.now() / 1000)
  return (
    <div className="alloc-group" data-testid="allocation-burn-down">
      <h3>
        {a.name}
        {a.example ? ' (example)' : ''} — {a.community}
      </h3>
      <p className="muted">
        {a.services} · {a.coveredServices.length} services · {a.periodStart ?? '…'} –{' '}
        {a.periodEnd ?? '…'}
        {a.renewable ? ' · renewable' : ''} · {a.tasks} tasks charged
      </p>
      <TimeChart
        label={`Burn-down of ${a.name}`}
        times={chart.times}
        series={chart.series}
        unit={a.grants[0]?.unit ?? ''}
        height={160}
      />
      {a.grants.map((g) => (
        <Bar
          key={g.unit}
          label={g.unit}
          value={g.used}
          max={g.amount}
          text={`${formatNumber(g.used, 2)} / ${formatNumber(g.amount)} ${g.unit}`}
        />
      ))}
    </div>
  )
}
