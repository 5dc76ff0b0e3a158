/** `continuum transfer`: requests with their history, per-link statistics, link limits, shares. */
import { Argument, Command, InvalidArgumentError, Option } from 'commander'
import type { Transfer, TransferLinkStats, TransferShare } from '../../contract/index.js'
import { shareKinds, transferStates } from '../../contract/closed-sets.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column } from '../output.js'
import { parseLimit } from './common.js'
import { formatBytes, parseDidArg } from './data-args.js'

const transferColumns: Column<Transfer>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'did', value: (t) => `${t.scope}:${t.name}` },
  { header: 'from', value: (t) => t.source },
  { header: 'to', value: (t) => t.endpoint },
  { header: 'state', value: (t) => t.state },
  { header: 'activity', value: (t) => t.activity },
  { header: 'attempts', value: (t) => t.attempts },
  { header: 'bytes', value: (t) => t.bytes },
  {
    header: 'last error',
    value: (t) => (t.failureClass ? `[${t.failureClass}] ` : '') + (t.lastError ?? ''),
  },
]
const linkColumns: Column<TransferLinkStats>[] = [
  { header: 'source', value: (l) => l.source },
  { header: 'destination', value: (l) => l.destination },
  { header: 'active', value: (l) => l.active },
  { header: 'queued', value: (l) => l.queued },
  { header: 'limit', value: (l) => `${l.activeLimit}/${l.maxActive}` },
  { header: 'done', value: (l) => l.done },
  { header: 'failed', value: (l) => l.failed },
  {
    header: 'success',
    value: (l) => (l.successRate === null ? '' : `${(l.successRate * 100).toFixed(1)} %`),
  },
  { header: 'throughput', value: (l) => `${formatBytes(Math.round(l.throughputBps))}/s` },
  { header: 'optimiser', value: (l) => (l.closed ? 'closed: multi-hop' : l.lastDecision) },
]
const shareColumns: Column<TransferShare>[] = [
  { header: 'kind', value: (s) => s.kind },
  { header: 'name', value: (s) => s.name },
  { header: 'weight', value: (s) => s.weight },
]

/** "12 done, 3 queued, 1 failed" — a rule's progress under its transfer list. */
function progress(rows: Transfer[]): string {
  const counts = new Map<string, number>()
  for (const t of rows) counts.set(t.state, (counts.get(t.state) ?? 0) + 1)
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ')
}

function parseWeight(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number')
  return n
}

export function transferCommand(): Command {
  const transfer = withExamples(
    new Command('transfer').description(
      'Transfer requests, per-link statistics and limits, activity and community shares',
    ),
    'continuum transfer ls --state failed',
    'continuum transfer stats',
  )
  transfer.addCommand(
    withExamples(
      new Command('ls')
        .description("List transfer requests (with --rule: a rule's progress)")
        .addOption(new Option('--state <state>', 'only this state').choices(transferStates))
        .option('--did <did>', 'only this scope:name')
        .option('--rule <id>', "only this rule's transfers")
        .option('--limit <n>', 'at most this many (default 1000)', parseLimit)
        .action(
          async (
            o: { state?: string; did?: string; rule?: string; limit?: number },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const did = o.did ? parseDidArg(o.did) : undefined
            printResult(
              out,
              await client().transfers.list({
                state: o.state,
                scope: did?.scope,
                name: did?.name,
                rule: o.rule,
                limit: o.limit,
              }),
              (rows) =>
                rows.length
                  ? `${formatTable(rows, transferColumns)}\n\n${progress(rows)}`
                  : 'no transfers',
            )
          },
        ),
      'continuum transfer ls --state queued',
      'continuum transfer ls --rule 01933c1e-…',
    ),
  )
  transfer.addCommand(
    withExamples(
      new Command('show')
        .description('Show one transfer request: every attempt (class, message, source, duration)')
        .argument('<id>', 'transfer id')
        .action(async (id: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().transfers.get(id), (t) =>
            [
              formatRecord({ ...t, history: undefined, events: undefined }),
              '',
              t.history.length
                ? formatTable(t.history, [
                    { header: 'attempt', value: (a) => a.attempt },
                    { header: 'source', value: (a) => a.source },
                    { header: 'via', value: (a) => a.via.join(' → ') },
                    { header: 'outcome', value: (a) => a.outcome },
                    { header: 'class', value: (a) => a.failureClass },
                    { header: 'duration', value: (a) => `${(a.durationMs / 1000).toFixed(1)} s` },
                    { header: 'message', value: (a) => a.message },
                  ])
                : 'no finished attempt yet',
              '',
              formatTable(t.events, [
                { header: 'at', value: (e) => e.at },
                { header: 'from', value: (e) => e.from },
                { header: 'to', value: (e) => e.to },
                { header: 'reason', value: (e) => e.reason },
              ]),
            ].join('\n'),
          )
        }),
      'continuum transfer show 01933c1e-…',
    ),
  )
  transfer.addCommand(
    withExamples(
      new Command('stats')
        .description(
          'Per link: active, queued, optimiser limit, throughput and success rate over a window',
        )
        .option('--window <seconds>', 'statistics window (default 3600)', parseLimit)
        .action(async (o: { window?: number }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().transfers.stats(o.window), (s) =>
            s.links.length
              ? `${formatTable(s.links, linkColumns)}\n\nwindow: ${s.windowSeconds} s`
              : 'no links yet',
          )
        }),
      'continuum transfer stats',
      'continuum transfer stats --window 600 --json',
    ),
  )
  const link = withExamples(
    new Command('link').description('Configure a link (source endpoint → destination endpoint)'),
    'continuum transfer link set CERN_DISK KIT_DISK --max-active 50',
  )
  link.addCommand(
    withExamples(
      new Command('set')
        .description(
          "Set a link's ceiling of active transfers ('*' as source: no source yet), or close it: " +
            'a closed link has no direct route, its transfers go through endpoints marked multihop=true',
        )
        .argument('<source>', 'source endpoint name or *')
        .argument('<destination>', 'destination endpoint name')
        .option('--max-active <n>', 'ceiling of the optimiser limit', parseLimit)
        .addOption(new Option('--close', 'no direct route: transfers go multi-hop'))
        .addOption(new Option('--open', 'direct transfers again').conflicts('close'))
        .action(
          async (
            source: string,
            destination: string,
            o: { maxActive?: number; close?: boolean; open?: boolean },
            cmd: Command,
          ) => {
            if (o.maxActive === undefined && !o.close && !o.open) {
              throw new ContinuumError(
                'VALIDATION_FAILED',
                'give --max-active <n>, --close or --open',
              )
            }
            const { out, client } = cliContext(cmd)
            const closed = o.close ? true : o.open ? false : undefined
            printResult(
              out,
              await client().transfers.setLink({
                source,
                destination,
                ...(o.maxActive === undefined ? {} : { maxActive: o.maxActive }),
                ...(closed === undefined ? {} : { closed }),
              }),
              (l) => formatTable([l], linkColumns),
            )
          },
        ),
      'continuum transfer link set CERN_DISK KIT_DISK --max-active 50',
      'continuum transfer link set CTA_TAPE SURF_DISK --close',
    ),
  )
  transfer.addCommand(link)
  const share = withExamples(
    new Command('share').description(
      'Activity and community share weights (names not listed weigh 1)',
    ),
    'continuum transfer share ls',
  )
  share.addCommand(
    withExamples(
      new Command('ls').description('List shares').action(async (_o: unknown, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(out, await client().transfers.listShares(), (rows) =>
          formatTable(rows, shareColumns),
        )
      }),
      'continuum transfer share ls --json',
    ),
  )
  share.addCommand(
    withExamples(
      new Command('set')
        .description('Set the weight of an activity or a community')
        .addArgument(new Argument('<kind>', 'activity | community').choices(shareKinds))
        .argument('<name>', 'activity or community name')
        .argument('<weight>', 'positive weight', parseWeight)
        .action(
          async (
            kind: TransferShare['kind'],
            name: string,
            weight: number,
            _o: unknown,
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            printResult(
              out,
              await client().transfers.setShare({ kind, name, weight }),
              (s) => `${s.kind} '${s.name}' weighs ${s.weight}`,
            )
          },
        ),
      "continuum transfer share set activity 'T0 Export' 10",
      'continuum transfer share set community atlas 3',
    ),
  )
  share.addCommand(
    withExamples(
      new Command('rm')
        .description('Remove a share (the name weighs 1 again)')
        .addArgument(new Argument('<kind>', 'activity | community').choices(shareKinds))
        .argument('<name>', 'activity or community name')
        .action(async (kind: TransferShare['kind'], name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          await client().transfers.deleteShare(kind, name)
          printResult(out, { kind, name }, () => `removed ${kind} share '${name}'`)
        }),
      'continuum transfer share rm community atlas',
    ),
  )
  transfer.addCommand(share)
  return transfer
}
