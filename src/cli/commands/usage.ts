/** `continuum usage`: resources used by workflows, summed; APEL-like export. */
import { Command, Option } from 'commander'
import type { AllocationUsage, UsageReport } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'

const groupings = ['community', 'site', 'day', 'month', 'workflow', 'allocation'] as const

/** The usage table; energy is labelled an estimate (docs/workflows.md has the formula). */
export function formatUsage(r: UsageReport): string {
  return formatTable(r.rows, [
    { header: r.groupBy, value: (x) => x.key },
    { header: 'tasks', value: (x) => x.tasks },
    { header: 'core h', value: (x) => x.coreHours.toFixed(3) },
    { header: 'cpu h', value: (x) => x.cpuHours.toFixed(3) },
    { header: 'kWh (est.)', value: (x) => x.energyKwh.toFixed(4) },
  ])
}

interface UsageOptions {
  by?: (typeof groupings)[number]
  community?: string
  site?: string
  since?: string
  until?: string
  apel?: boolean
  allocation?: string | true
}

const figure = (n: number) =>
  Number.isInteger(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)

/** One line per grant: used and left of the amount, with the share used. */
function grantsText(a: AllocationUsage): string {
  return a.grants
    .map(
      (g) =>
        `${figure(g.used)}/${figure(g.amount)} ${g.unit} (${g.amount > 0 ? Math.round((100 * g.used) / g.amount) : 0}%)`,
    )
    .join('; ')
}

export function formatAllocations(items: AllocationUsage[]): string {
  return formatTable(items, [
    { header: 'allocation', value: (a) => (a.example ? `${a.name} (example)` : a.name) },
    { header: 'community', value: (a) => a.community },
    { header: 'services', value: (a) => `${a.services} [${a.coveredServices.length}]` },
    { header: 'period', value: (a) => `${a.periodStart ?? '…'} – ${a.periodEnd ?? '…'}` },
    { header: 'tasks', value: (a) => a.tasks },
    { header: 'used / granted', value: grantsText },
  ])
}

/** One allocation in full: its grants, the services it covers and the burn-down by day. */
export function formatAllocation(a: AllocationUsage): string {
  const unit = a.grants[0]?.unit ?? ''
  const amount = a.grants[0]?.amount ?? 0
  const lines = [
    `allocation ${a.name}${a.example ? ' (an example, not a real grant)' : ''}: ${a.community}, ${a.active ? 'active' : 'not active'}${a.renewable ? ', renewable' : ''}`,
    `period:   ${a.periodStart ?? '…'} – ${a.periodEnd ?? '…'}`,
    `services: ${a.services} → ${a.coveredServices.join(', ') || 'none'}`,
    `used:     ${grantsText(a)}`,
    `tasks:    ${a.tasks}`,
  ]
  if (a.burnDown.length > 0) {
    lines.push(`burn-down (${unit} left of ${figure(amount)}):`)
    for (const d of a.burnDown) {
      const left = amount - d.used
      const bar = amount > 0 ? '#'.repeat(Math.max(0, Math.round((30 * left) / amount))) : ''
      lines.push(`  ${d.day}  ${figure(left).padStart(8)}  ${bar}`)
    }
  }
  return lines.join('\n')
}

function isoDate(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) {
    throw new ContinuumError(
      'INVALID_ARGUMENT',
      `${flag}: '${value}' is not a date (e.g. 2026-03-01)`,
      { [flag]: value },
    )
  }
  return d.toISOString()
}

export function usageCommand(): Command {
  return withExamples(
    new Command('usage')
      .description(
        'Resources used by workflow tasks: core-hours, CPU-hours and energy by community, site or period',
      )
      .addOption(new Option('--by <grouping>', 'sum by (default community)').choices(groupings))
      .option('--community <name>', 'only this community')
      .option('--site <name>', 'only this site')
      .option('--since <date>', 'tasks finished at or after this date')
      .option('--until <date>', 'tasks finished before this date')
      .option('--apel', 'print an APEL summary message instead')
      .option(
        '--allocation [name]',
        'allocations: what each granted, used and has left; with a name, that one and its burn-down (with --apel: its APEL export)',
      )
      .action(async (opts: UsageOptions, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const allocation = typeof opts.allocation === 'string' ? opts.allocation : undefined
        const query = {
          groupBy: opts.by,
          community: opts.community,
          site: opts.site,
          allocation,
          since: isoDate(opts.since, '--since'),
          until: isoDate(opts.until, '--until'),
        }
        if (opts.allocation !== undefined && !opts.apel) {
          const items = await client().workflows.allocationUsage({
            allocation,
            community: opts.community,
          })
          return printResult(out, items, (list) =>
            allocation !== undefined && list[0]
              ? formatAllocation(list[0])
              : list.length
                ? formatAllocations(list)
                : 'no allocations',
          )
        }
        if (opts.apel) {
          const { message } = await client().workflows.usageApel(query)
          return printResult(out, { message }, (m) => m.message)
        }
        const report = await client().workflows.usage(query)
        printResult(out, report, (r) => (r.rows.length ? formatUsage(r) : 'no usage recorded'))
      }),
    'continuum usage --by site --since 2026-01-01',
    'continuum usage --apel --community lofar',
    'continuum usage --allocation',
    'continuum usage --allocation example-lofar-2026 --apel',
  )
}
