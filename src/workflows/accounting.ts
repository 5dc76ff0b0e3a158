/**
 * Accounting: one usage record per task attempt (written by the engine), summed by community,
 * site, workflow or period, exported as an APEL-like summary (the format WLCG accounting takes
 * from batch sites), and task counts by state for Prometheus.
 */
import { sql } from 'kysely'
import type { UsageQuery, UsageReport } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { visibleCommunities, type Actor } from '../platform/index.js'

const groupColumns = {
  community: sql`coalesce(community, '-')`,
  site: sql`site`,
  workflow: sql`workflow_id::text`,
  day: sql`to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD')`,
  month: sql`to_char(finished_at at time zone 'UTC', 'YYYY-MM')`,
  allocation: sql`coalesce(allocation, '-')`,
} as const

/** The query's filters, limited to the communities the caller sees. */
function filters(q: UsageQuery, actor: Actor) {
  const parts = [sql`true`]
  const visible = visibleCommunities(actor)
  if (visible !== undefined) {
    parts.push(visible.length === 0 ? sql`false` : sql`community in (${sql.join([...visible])})`)
  }
  if (q.community !== undefined) parts.push(sql`community = ${q.community}`)
  if (q.site !== undefined) parts.push(sql`site = ${q.site}`)
  if (q.allocation !== undefined) parts.push(sql`allocation = ${q.allocation}`)
  if (q.since !== undefined) parts.push(sql`finished_at >= ${new Date(q.since)}`)
  if (q.until !== undefined) parts.push(sql`finished_at < ${new Date(q.until)}`)
  return sql.join(parts, sql` and `)
}

export async function usageReport(ctx: Context, q: UsageQuery = {}): Promise<UsageReport> {
  const groupBy = q.groupBy ?? 'community'
  const key = groupColumns[groupBy]
  const result = await sql<{
    key: string
    tasks: number
    core_s: number
    wall_s: number
    cpu_s: number
    energy: number
  }>`
    select ${key} as key, count(*)::int as tasks, sum(cores * wall_s) as core_s, sum(wall_s) as wall_s,
      sum(cpu_s) as cpu_s, sum(energy_kwh) as energy
    from usage_records where ${filters(q, ctx.actor)} group by 1 order by 1`.execute(ctx.db)
  return {
    groupBy,
    rows: result.rows.map((r) => ({
      key: r.key,
      tasks: Number(r.tasks),
      coreHours: round(Number(r.core_s) / 3600),
      wallHours: round(Number(r.wall_s) / 3600),
      cpuHours: round(Number(r.cpu_s) / 3600),
      energyKwh: round(Number(r.energy)),
    })),
  }
}

/**
 * An APEL summary message (`APEL-summary-job-message: v0.3`): one record per site, community,
 * allocation and month. The allocation a record was charged to goes in the optional VOGroup
 * field as `/<community>/<allocation>`, so an export per allocation (`allocation` filter) stays a
 * message APEL's summary parser reads.
 */
export async function apelSummary(ctx: Context, q: UsageQuery = {}): Promise<string> {
  const result = await sql<{
    site: string
    community: string
    allocation: string | null
    month: string
    jobs: number
    wall_s: number
    cpu_s: number
    cores: number
    first: Date
    last: Date
  }>`
    select site, coalesce(community, 'none') as community, allocation,
      to_char(finished_at at time zone 'UTC', 'YYYY-MM') as month,
      count(*)::int as jobs, sum(wall_s * cores) as wall_s, sum(cpu_s) as cpu_s, max(cores) as cores,
      min(finished_at) as first, max(finished_at) as last
    from usage_records where ${filters(q, ctx.actor)} group by 1, 2, 3, 4 order by 1, 2, 3, 4`.execute(
    ctx.db,
  )
  const lines = ['APEL-summary-job-message: v0.3']
  for (const r of result.rows) {
    const [year, month] = r.month.split('-')
    lines.push(
      `Site: ${r.site}`,
      `Month: ${Number(month)}`,
      `Year: ${year}`,
      `VO: ${r.community}`,
      ...(r.allocation ? [`VOGroup: /${r.community}/${r.allocation}`] : []),
      `SubmitHost: continuum`,
      `Processors: ${r.cores}`,
      `NumberOfJobs: ${r.jobs}`,
      `WallDuration: ${Math.round(Number(r.wall_s))}`,
      `CpuDuration: ${Math.round(Number(r.cpu_s))}`,
      `EarliestEndTime: ${Math.floor(new Date(r.first).getTime() / 1000)}`,
      `LatestEndTime: ${Math.floor(new Date(r.last).getTime() / 1000)}`,
      '%%',
    )
  }
  return `${lines.join('\n')}\n`
}

/** Tasks by state across all workflows, for the Prometheus gauge. */
export async function countTasksByStateAll(ctx: Context): Promise<Record<string, number>> {
  const rows = await ctx.db
    .selectFrom('workflow_tasks')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]))
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000
}
