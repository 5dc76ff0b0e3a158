/** `continuum usage`: resources used by workflows, summed; APEL-like export. */
import { Command, Option } from 'commander'
import type { UsageReport } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'

const groupings = ['community', 'site', 'day', 'month', 'workflow'] as const

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
      .action(async (opts: UsageOptions, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const query = {
          groupBy: opts.by,
          community: opts.community,
          site: opts.site,
          since: isoDate(opts.since, '--since'),
          until: isoDate(opts.until, '--until'),
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
  )
}
