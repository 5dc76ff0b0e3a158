/** `continuum data rule|quota|bad`: rules, locks, quotas (transfers: transfer.ts). */
import { Command, Option } from 'commander'
import type { Lock, Quota, Rule } from '../../contract/index.js'
import { ruleGroupings } from '../../contract/closed-sets.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column } from '../output.js'
import { parseLimit, removeEach } from './common.js'
import { formatBytes, parseDidArg } from './data-args.js'

const ruleColumns: Column<Rule>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'did', value: (r) => `${r.scope}:${r.name}` },
  { header: 'account', value: (r) => r.account },
  { header: 'copies', value: (r) => r.copies },
  { header: 'expression', value: (r) => r.expression },
  { header: 'state', value: (r) => r.state },
  { header: 'ok/repl/stuck', value: (r) => `${r.locksOk}/${r.locksReplicating}/${r.locksStuck}` },
  { header: 'expires', value: (r) => r.expiresAt },
]
const lockColumns: Column<Lock>[] = [
  { header: 'did', value: (l) => `${l.scope}:${l.name}` },
  { header: 'endpoint', value: (l) => l.endpoint },
  { header: 'state', value: (l) => l.state },
  { header: 'bytes', value: (l) => l.bytes },
  { header: 'reason', value: (l) => l.reason },
]

export function ruleCommand(): Command {
  const rule = withExamples(
    new Command('rule').description(
      'Replication rules: N copies of an identifier on endpoints an expression selects',
    ),
    'continuum data rule ls --state stuck',
  )
  rule.addCommand(
    withExamples(
      new Command('add')
        .description('Add a rule')
        .argument('<did>', 'scope:name')
        .requiredOption('--copies <n>', 'number of copies', parseLimit)
        .requiredOption('--expression <expr>', 'endpoint expression, e.g. country=DE|country=FR')
        .option('--lifetime <seconds>', 'the rule expires after this long', parseLimit)
        .addOption(new Option('--grouping <g>', 'all | dataset | none').choices(ruleGroupings))
        .option('--weight <attribute>', 'numeric endpoint attribute to prefer')
        .option('--source <expr>', 'copy only from endpoints matching this expression')
        .option('--activity <name>', 'activity, e.g. "Data Consolidation"')
        .option(
          '--priority <n>',
          'order of its transfers in their queue, 1–5 (default 3)',
          parseLimit,
        )
        .option('--account <name>', 'account or community charged (quotas)')
        .option('--comment <text>', 'why this rule exists')
        .action(
          async (
            did: string,
            o: {
              copies: number
              expression: string
              lifetime?: number
              grouping?: Rule['grouping']
              weight?: string
              source?: string
              activity?: string
              priority?: number
              account?: string
              comment?: string
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const created = await client().data.addRule({
              ...parseDidArg(did),
              copies: o.copies,
              expression: o.expression,
              ...(o.lifetime === undefined ? {} : { lifetimeSeconds: o.lifetime }),
              ...(o.grouping ? { grouping: o.grouping } : {}),
              ...(o.weight ? { weight: o.weight } : {}),
              ...(o.source ? { sourceExpression: o.source } : {}),
              ...(o.activity ? { activity: o.activity } : {}),
              ...(o.priority === undefined ? {} : { priority: o.priority }),
              ...(o.account ? { account: o.account } : {}),
              ...(o.comment ? { comment: o.comment } : {}),
            })
            printResult(
              out,
              created,
              (r) =>
                `added rule ${r.id}: ${r.copies} copies of ${r.scope}:${r.name} on ${r.expression} (${r.state})`,
            )
          },
        ),
      "continuum data rule add lofar:L2026 --copies 2 --expression 'country=DE|country=FR' --lifetime 2592000",
    ),
  )
  rule.addCommand(
    withExamples(
      new Command('ls')
        .description('List rules')
        .option('--did <did>', 'rules on this scope:name')
        .option('--account <name>', 'rules of this account')
        .addOption(
          new Option('--state <state>', 'only this state').choices(['ok', 'replicating', 'stuck']),
        )
        .action(
          async (o: { did?: string; account?: string; state?: Rule['state'] }, cmd: Command) => {
            const { out, client } = cliContext(cmd)
            const did = o.did ? parseDidArg(o.did) : undefined
            const rules = await client().data.listRules({
              scope: did?.scope,
              name: did?.name,
              account: o.account,
              state: o.state,
            })
            printResult(out, rules, (rows) =>
              rows.length ? formatTable(rows, ruleColumns) : 'no rules',
            )
          },
        ),
      'continuum data rule ls --did lofar:L2026',
    ),
  )
  rule.addCommand(
    withExamples(
      new Command('show')
        .description('Show a rule and its locks, with the reason for each stuck file')
        .argument('<id>', 'rule id')
        .action(async (id: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const [r, locks] = await Promise.all([c.data.getRule(id), c.data.listRuleLocks(id)])
          printResult(
            out,
            { ...r, locks },
            (v) =>
              `${formatRecord({ ...v, locks: undefined })}\n\n${formatTable(v.locks, lockColumns)}`,
          )
        }),
      'continuum data rule show 01933c1e-…',
    ),
  )
  rule.addCommand(
    withExamples(
      new Command('rm')
        .description('Delete rules; replicas no rule needs get tombstones for the reaper')
        .argument('<ids...>', 'rule ids')
        .action(async (ids: string[], _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await removeEach(out, ids, 'rule', (id) => c.data.deleteRule(id))
        }),
      'continuum data rule rm 01933c1e-…',
    ),
  )
  return rule
}

/** Where a quota applies: its endpoint, or its expression and the endpoints it covers now. */
function quotaTarget(q: Quota): string {
  if (q.endpoint !== undefined) return q.endpoint
  const covered = q.endpoints ?? []
  return `${q.expression ?? '-'} (${covered.length === 0 ? 'no endpoints yet' : covered.join(', ')})`
}

export function quotaCommand(): Command {
  const quota = withExamples(
    new Command('quota').description(
      'Bytes an account or community may lock per endpoint, or on all an expression covers',
    ),
    'continuum data quota ls',
  )
  quota.addCommand(
    withExamples(
      new Command('set')
        .argument('<owner>', 'account or community')
        .argument('<endpoint>', "endpoint name, or an endpoint expression ('country=DE')")
        .argument('<bytes>', 'bytes allowed', parseLimit)
        .description('Set a quota (on an expression: for all the endpoints it covers, together)')
        .action(
          async (owner: string, endpoint: string, bytes: number, _o: unknown, cmd: Command) => {
            const { out, client } = cliContext(cmd)
            // An endpoint name is a plain word; anything with an operator is an expression.
            const target = /[=<>&|\\()*]/.test(endpoint) ? { expression: endpoint } : { endpoint }
            printResult(
              out,
              await client().data.setQuota({ owner, ...target, bytes }),
              (q) =>
                `quota of ${q.owner} on ${quotaTarget(q)}: ${formatBytes(q.bytes)} (${formatBytes(q.usedBytes)} used)`,
            )
          },
        ),
      'continuum data quota set atlas DESY-ZN_DATADISK 500000000000000',
      "continuum data quota set lofar 'country=DE' 5000000000000",
    ),
  )
  quota.addCommand(
    withExamples(
      new Command('ls')
        .description('List quotas and usage')
        .option('--owner <name>', 'only this owner')
        .action(async (o: { owner?: string }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().data.listQuotas(o.owner), (rows) =>
            formatTable(rows, [
              { header: 'owner', value: (q) => q.owner },
              { header: 'endpoint', value: quotaTarget },
              { header: 'quota', value: (q) => formatBytes(q.bytes) },
              { header: 'used', value: (q) => formatBytes(q.usedBytes) },
            ]),
          )
        }),
      'continuum data quota ls --owner atlas',
    ),
  )
  return quota
}

export function badCommand(): Command {
  return withExamples(
    new Command('bad')
      .description('Declare a replica lost or corrupted; rules copy it again from another replica')
      .argument('<did>', 'scope:name')
      .argument('<endpoint>', 'endpoint holding the bad replica')
      .requiredOption('--reason <text>', 'what happened')
      .action(async (did: string, endpoint: string, o: { reason: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(
          out,
          await client().data.declareBad({ ...parseDidArg(did), endpoint, reason: o.reason }),
          (r) => `declared bad; ${r.transfers} transfer(s) queued`,
        )
      }),
    "continuum data bad atlas:run1.raw KIT_DATADISK --reason 'disk failure'",
  )
}
