/** `continuum landscape plan USECASE`: plan → run, where a use case's workflow would run and why. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import type { UseCasePlan } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'

export function planCommand(): Command {
  return withExamples(
    new Command('plan')
      .description(
        "Where the broker would place each task of a use case's workflow (its shipped example, a probe from its profile, or --workflow FILE) and why, next to the match's reasons",
      )
      .argument('<use-case>')
      .option('--workflow <file>', 'plan this workflow YAML instead')
      .action(async (useCase: string, opts: { workflow?: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const request = opts.workflow
          ? { source: readFileSync(opts.workflow, 'utf8'), filename: path.basename(opts.workflow) }
          : {}
        printResult(out, await client().sites.plan(useCase, request), formatPlan)
      }),
    'continuum landscape plan lofar2-calibration-imaging',
    'continuum landscape plan hl-lhc-atlas-production --json',
    'continuum landscape plan ska-science-platform --workflow my-analysis.yaml',
  )
}

function formatPlan(p: UseCasePlan): string {
  const from =
    p.workflow.from === 'probe'
      ? 'a one-task probe built from the requirement profile'
      : p.workflow.from === 'example'
        ? `the shipped example ${p.workflow.file ?? ''}`
        : `the given workflow ${p.workflow.file ?? ''}`
  const lines = [
    `use case ${p.useCase} (community ${p.community ?? '-'}; landscape verdict ${p.verdict})`,
    `workflow ${p.workflow.name}: ${from}`,
    '',
    formatTable(p.tasks, [
      { header: 'wave', value: (t) => t.wave },
      { header: 'task', value: (t) => t.task },
      { header: 'site', value: (t) => t.site ?? '-' },
      { header: 'service', value: (t) => t.service ?? '-' },
      {
        header: 'why',
        value: (t) =>
          t.site === null
            ? t.summary
            : (t.placement.find((d) => d.site === t.site)?.reasons ?? []).join('; '),
      },
      {
        header: 'match',
        value: (t) =>
          t.match
            ? `${t.match.verdict}: ${
                t.match.reasons
                  .filter((r) => r.verdict !== 'meets')
                  .map((r) => r.reason)
                  .slice(0, 2)
                  .join('; ') || 'meets every stated requirement'
              }`
            : '-',
      },
    ]),
  ]
  const refused = p.tasks.flatMap((t) =>
    t.placement
      .filter((d) => !d.eligible)
      .map((d) => `  ${t.task} not on ${d.site}: ${d.reasons.join('; ')}`),
  )
  if (refused.length > 0) lines.push('', 'refused:', ...refused.slice(0, 20))
  const bound = p.services.filter((s) => s.site !== null)
  lines.push(
    '',
    `bound services (the broker's candidates): ${bound.map((s) => `${s.name} as ${s.site}${s.state === 'draining' ? ' (draining)' : ''} [${s.verdict}]`).join(', ') || 'none'}`,
  )
  return lines.join('\n')
}
