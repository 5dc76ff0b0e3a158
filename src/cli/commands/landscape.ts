/**
 * `continuum landscape …`: the Plan face — infrastructures with their services and policies,
 * use cases, the survey, knowledge-hub search, match, gaps and reports.
 */
import { writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import type { ContinuumClient } from '../../client/index.js'
import type {
  AccessPolicy,
  ComputeService,
  Page,
  StorageService,
  UseCase,
} from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult } from '../output.js'
import { parseLimit } from './common.js'
import { formatGaps, formatMatch } from './landscape-format.js'
import { surveyCommand } from './landscape-survey.js'
import { planCommand } from './landscape-plan.js'
import { reviewCommand } from './landscape-review.js'

async function all<T>(
  list: (q: {
    limit: number
    cursor?: string
    infrastructure?: string
    community?: string
  }) => Promise<Page<T>>,
  filter: { infrastructure?: string | undefined; community?: string | undefined } = {},
): Promise<T[]> {
  const out: T[] = []
  let cursor: string | undefined
  do {
    const page = await list({
      limit: 500,
      ...(cursor ? { cursor } : {}),
      ...(filter.infrastructure ? { infrastructure: filter.infrastructure } : {}),
      ...(filter.community ? { community: filter.community } : {}),
    })
    out.push(...page.items)
    cursor = page.next ?? undefined
  } while (cursor)
  return out
}

const accel = (s: ComputeService) => s.accelerators.map((a) => `${a.count}×${a.model}`).join(', ')

export function landscapeCommand(): Command {
  const l = new Command('landscape').description(
    'The Plan face: landscape, use cases, matching, gaps, reports',
  )

  l.addCommand(
    withExamples(
      new Command('infra')
        .description('Infrastructures with their numbers of services and policies')
        .action(async (_o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const [infras, compute, storage, policies] = await Promise.all([
            all((q) => c.catalog.listInfrastructures(q)),
            all((q) => c.landscape.computeServices.list(q)),
            all((q) => c.landscape.storageServices.list(q)),
            all((q) => c.landscape.accessPolicies.list(q)),
          ])
          const rows = infras.map((i) => ({
            ...i,
            compute: compute.filter((s) => s.infrastructure === i.name).length,
            storage: storage.filter((s) => s.infrastructure === i.name).length,
            policies: policies.filter((p) => p.infrastructure === i.name).length,
          }))
          printResult(out, rows, (r) =>
            formatTable(r, [
              { header: 'name', value: (i) => i.name },
              { header: 'kind', value: (i) => i.kind },
              { header: 'country', value: (i) => i.country },
              { header: 'compute', value: (i) => i.compute },
              { header: 'storage', value: (i) => i.storage },
              { header: 'policies', value: (i) => i.policies },
              { header: 'title', value: (i) => i.title },
            ]),
          )
        }),
      'continuum landscape infra',
    ),
  )

  const services = withExamples(
    new Command('services').description('Compute and storage services'),
    'continuum landscape services ls --infra lumi',
  )
  services.addCommand(
    withExamples(
      new Command('ls')
        .description('List compute and storage services')
        .option('--infra <name>', 'only this infrastructure')
        .addOption(
          new Option('--kind <kind>', 'only compute or storage').choices(['compute', 'storage']),
        )
        .action(async (opts: { infra?: string; kind?: 'compute' | 'storage' }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const compute =
            opts.kind === 'storage'
              ? []
              : await all((q) => c.landscape.computeServices.list(q), {
                  infrastructure: opts.infra,
                })
          const storage =
            opts.kind === 'compute'
              ? []
              : await all((q) => c.landscape.storageServices.list(q), {
                  infrastructure: opts.infra,
                })
          printResult(
            out,
            { compute, storage },
            ({ compute: cs, storage: ss }) =>
              [
                cs.length
                  ? formatTable(cs, [
                      { header: 'compute', value: (s: ComputeService) => s.name },
                      { header: 'infra', value: (s) => s.infrastructure },
                      { header: 'batch', value: (s) => s.batchSystem },
                      { header: 'cores', value: (s) => s.cores },
                      { header: 'GB/core', value: (s) => s.memoryPerCoreGB },
                      { header: 'accelerators', value: accel },
                      { header: 'max h', value: (s) => s.maxWalltimeHours },
                    ])
                  : '',
                ss.length
                  ? formatTable(ss, [
                      { header: 'storage', value: (s: StorageService) => s.name },
                      { header: 'infra', value: (s) => s.infrastructure },
                      { header: 'media', value: (s) => s.media },
                      { header: 'protocols', value: (s) => s.protocols.join(',') },
                      { header: 'TB', value: (s) => s.capacityTB },
                    ])
                  : '',
              ]
                .filter(Boolean)
                .join('\n\n') || 'no services match',
          )
        }),
      'continuum landscape services ls --kind compute --json',
    ),
  )
  services.addCommand(
    withExamples(
      new Command('show')
        .description('Show a compute or storage service')
        .argument('<name>')
        .action(async (name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const svc = await c.landscape.computeServices.get(name).catch(async (err: unknown) => {
            if (err instanceof ContinuumError && err.code === 'COMPUTE_SERVICE_NOT_FOUND') {
              return c.landscape.storageServices.get(name)
            }
            throw err
          })
          printResult(out, svc, (s) => formatRecord(s as unknown as Record<string, unknown>))
        }),
      'continuum landscape services show lumi-g',
    ),
  )
  l.addCommand(services)

  const usecases = withExamples(
    new Command('usecases')
      .alias('use-cases')
      .description('Use cases and their requirement profiles'),
    'continuum landscape usecases ls',
  )
  usecases.addCommand(
    withExamples(
      new Command('ls')
        .description('List use cases')
        .option('--community <name>', 'only this community')
        .action(async (opts: { community?: string }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const items = await all((q) => c.landscape.useCases.list(q), {
            community: opts.community,
          })
          printResult(out, items, (r) =>
            r.length
              ? formatTable(r, [
                  { header: 'name', value: (u: UseCase) => u.name },
                  { header: 'community', value: (u) => u.community },
                  { header: 'status', value: (u) => u.status },
                  {
                    header: 'reviewed',
                    value: (u) =>
                      u.status === 'reviewed' ? `${u.reviewedAt ?? ''} ${u.reviewer ?? ''}` : '',
                  },
                  { header: 'title', value: (u) => u.title },
                ])
              : 'no use cases',
          )
        }),
      'continuum landscape usecases ls --community lofar',
    ),
  )
  usecases.addCommand(
    withExamples(
      new Command('show')
        .description('Show a use case and its requirement profile')
        .argument('<name>')
        .action(async (name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(
            out,
            await client().landscape.useCases.get(name),
            ({ profile, ...rest }) =>
              `${formatRecord(rest)}\nprofile:\n${JSON.stringify(profile, null, 2)}`,
          )
        }),
      'continuum landscape usecases show hl-lhc-production',
    ),
  )
  usecases.addCommand(reviewCommand())
  l.addCommand(usecases)

  const policies = withExamples(
    new Command('policies').description('Access policies (D5.2)'),
    'continuum landscape policies ls',
  )
  policies.addCommand(
    withExamples(
      new Command('ls')
        .description('List access policies')
        .option('--infra <name>', 'only this infrastructure')
        .action(async (opts: { infra?: string }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const items = await all((q) => c.landscape.accessPolicies.list(q), {
            infrastructure: opts.infra,
          })
          const yes = (b: boolean) => (b ? 'yes' : 'no')
          printResult(out, items, (r) =>
            formatTable(r, [
              { header: 'name', value: (p: AccessPolicy) => p.name },
              { header: 'infra', value: (p) => p.infrastructure },
              { header: 'route', value: (p) => p.route },
              { header: 'unit', value: (p) => p.allocationUnit },
              { header: 'months', value: (p) => p.periodMonths },
              { header: 'multi-year', value: (p) => yes(p.multiYear) },
              { header: 'cross-infra', value: (p) => yes(p.crossInfrastructure) },
              { header: 'interactive', value: (p) => yes(p.interactive) },
              { header: 'unattended', value: (p) => yes(p.unattendedWorkflows) },
            ]),
          )
        }),
      'continuum landscape policies ls --infra lumi',
    ),
  )
  policies.addCommand(
    withExamples(
      new Command('show')
        .argument('<name>')
        .description('Show an access policy')
        .action(async (name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().landscape.accessPolicies.get(name), (p) =>
            formatRecord(p as unknown as Record<string, unknown>),
          )
        }),
      'continuum landscape policies show lumi-eurohpc-extreme-scale',
    ),
  )
  l.addCommand(policies)
  l.addCommand(surveyCommand())
  l.addCommand(
    withExamples(
      new Command('docs')
        .description('Search the knowledge hub (full text)')
        .argument('<words...>')
        .action(async (words: string[], _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const { items } = await client().landscape.searchDocuments(words.join(' '))
          printResult(out, items, (r) =>
            r.length
              ? r
                  .map(
                    (h) =>
                      `${h.name}  ${h.title}\n  ${h.snippet.replace(/\s+/g, ' ')}${h.url ? `\n  ${h.url}` : ''}`,
                  )
                  .join('\n')
              : 'no documents match',
          )
        }),
      'continuum landscape docs "token transfers"',
    ),
  )
  l.addCommand(matchCommand())
  l.addCommand(planCommand())
  l.addCommand(gapsCommand())
  l.addCommand(reportCommand())
  return withExamples(
    l,
    'continuum landscape match lofar2-calibration-imaging',
    'continuum landscape gaps',
  )
}

function matchCommand(): Command {
  return withExamples(
    new Command('match')
      .description(
        'Score every service and policy against a use case, one reason per requirement, and the best combination',
      )
      .argument('<use-case>')
      .option('--top <n>', 'evaluations shown per kind', '5')
      .action(async (useCase: string, opts: { top: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(out, await client().landscape.match(useCase), (m) =>
          formatMatch(m, Math.max(1, Number(opts.top) || 5)),
        )
      }),
    'continuum landscape match hl-lhc-production --top 3',
  )
}

function gapsCommand(): Command {
  return withExamples(
    new Command('gaps')
      .description(
        'Gaps per use case, cross-cutting gaps, coverage per capability area, ranked actions',
      )
      .option(
        '--limit <n>',
        'show at most n recommended actions per phase (default: all)',
        parseLimit,
      )
      .action(async (o: { limit?: number }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(out, await client().landscape.gaps(), (g) => formatGaps(g, o.limit))
      }),
    'continuum landscape gaps --limit 5',
    'continuum landscape gaps --json',
  )
}

function reportCommand(): Command {
  return withExamples(
    new Command('report')
      .description(
        'The landscape, fit matrix and gaps as Markdown, standalone HTML (heat-map) or JSON; with --document, a Technical Blueprint- or SRIDA-shaped document from the same live data',
      )
      .addOption(
        new Option('--format <format>', 'output format (md = markdown)')
          .choices(['markdown', 'md', 'html', 'json'])
          .default('markdown'),
      )
      .addOption(
        new Option(
          '--document <document>',
          'blueprint: capability areas with coverage and gaps; srida: pillars, priorities, phased actions',
        ).choices(['blueprint', 'srida']),
      )
      .option('-o, --out <file>', 'write to this file')
      .action(
        async (
          opts: {
            format: 'markdown' | 'md' | 'html' | 'json'
            document?: 'blueprint' | 'srida'
            out?: string
          },
          cmd: Command,
        ) => {
          const { out, client } = cliContext(cmd)
          const c: ContinuumClient = client()
          const format = opts.format === 'md' ? 'markdown' : opts.format
          const text =
            format === 'json'
              ? JSON.stringify(await c.landscape.reportJson(opts.document), null, 2)
              : await c.landscape.report(format, opts.document)
          if (opts.out) {
            writeFileSync(opts.out, text)
            out.write(out.json ? JSON.stringify({ file: opts.out }) : `wrote ${opts.out}`)
          } else out.write(text)
        },
      ),
    'continuum landscape report --format html -o landscape.html',
    'continuum landscape report --document srida --format md -o srida.md',
  )
}
