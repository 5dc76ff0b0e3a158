/** `continuum plan`: what-if planning — shipped scenarios and simulations of them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import type { ScenarioList, SimulationReport, SimulationRequest } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult } from '../output.js'

export function planCommand(): Command {
  const plan = withExamples(
    new Command('plan').description(
      'What-if planning: simulate a scenario (ingest, rules, workflows, allocations, links, outages) on the Run face’s own decision code',
    ),
    'continuum plan scenarios',
    'continuum plan simulate srcnet-v0.1-data-challenge',
  )
  plan.addCommand(
    withExamples(
      new Command('simulate')
        .description(
          'Simulate a scenario (a YAML file, or the name of a shipped one): storage, transfers, tasks, allocations and energy over time, and the first bottleneck with the action that relieves it',
        )
        .argument(
          '<scenario>',
          'scenario YAML file, or a shipped scenario name (see `plan scenarios`)',
        )
        .option('--html <file>', 'write the standalone HTML report (plots inline) to this file')
        .action(async (scenario: string, opts: { html?: string }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const request: SimulationRequest =
            existsSync(scenario) || /[/.]/.test(scenario)
              ? { scenario: readFileSync(scenario, 'utf8') }
              : { name: scenario }
          if (opts.html) {
            const html = await client().plan.simulateHtml(request)
            writeFileSync(opts.html, html)
            printResult(out, { html: path.resolve(opts.html) }, (r) => `wrote ${r.html}`)
            return
          }
          printResult(out, await client().plan.simulate(request), formatReport)
        }),
      'continuum plan scenarios',
      'continuum plan simulate srcnet-v0.1-data-challenge',
      'continuum plan simulate data/scenarios/ska-year.yaml --html ska-year.html',
      'continuum plan simulate my-scenario.yaml --json',
    ),
  )
  plan.addCommand(
    withExamples(
      new Command('scenarios')
        .description('The shipped what-if scenarios')
        .action(async (_opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().plan.scenarios(), (l: ScenarioList) =>
            formatTable(l.items, [
              { header: 'name', value: (s) => s.name },
              { header: 'days', value: (s) => s.days },
              { header: 'title', value: (s) => s.title },
            ]),
          )
        }),
      'continuum plan scenarios',
      'continuum plan scenarios --json',
    ),
  )
  return plan
}

function formatReport(r: SimulationReport): string {
  const s = r.summary
  const lines = [
    `${r.scenario.title} (${r.scenario.days} days; ${r.run.steps} steps in ${r.run.wallMs} ms)`,
    '',
    formatRecord({
      ingested: `${s.ingestedTB} TB, ${s.ingestedFiles} files`,
      replicated: `${s.replicatedTB} TB, ${s.replicatedFiles} files`,
      'did not fit': `${s.unplacedTB} TB`,
      'queued at end': `${s.backlogTB} TB`,
      'last copy arrived':
        s.distributionHours === null ? 'not finished' : `${s.distributionHours} h`,
      throughput: `${s.meanThroughputGbps} Gb/s mean, ${s.peakLinkGbps} Gb/s peak on one link`,
      tasks: `${s.tasksRun} run, ${s.tasksUnplaced} not placed, ${s.meanQueueHours} h mean queue`,
      'energy kWh': `compute ${s.energyKwh.compute}, storage ${s.energyKwh.storage}, network ${s.energyKwh.network}`,
    }),
  ]
  const p = r.published as {
    tb?: number
    files?: number
    hours?: number
    peakLinkGbps?: number
  } | null
  if (p) {
    lines.push('', 'published vs simulated:')
    lines.push(
      formatTable(
        [
          ['TB', p.tb, s.replicatedTB],
          ['files', p.files, s.replicatedFiles],
          ['hours', p.hours, s.distributionHours],
          ['peak link Gb/s', p.peakLinkGbps, s.peakLinkGbps],
        ],
        [
          { header: 'figure', value: (x) => x[0] },
          { header: 'published', value: (x) => x[1] },
          { header: 'simulated', value: (x) => x[2] },
        ],
      ),
    )
  }
  lines.push('', 'bottlenecks:')
  lines.push(
    r.bottlenecks.length === 0
      ? '  none met'
      : formatTable(r.bottlenecks, [
          { header: 'hour', value: (b) => b.hour },
          { header: 'kind', value: (b) => b.kind },
          { header: 'where', value: (b) => b.where },
          { header: 'action', value: (b) => b.action.change },
          { header: 'requirement', value: (b) => `${b.action.requirement} (${b.action.phase})` },
        ]),
  )
  return lines.join('\n')
}
