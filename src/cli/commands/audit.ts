/** `continuum audit …`: the gate's decisions, newest first. */
import { Command, Option } from 'commander'
import { ContinuumClient } from '../../client/index.js'
import type { AuditEntry } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult, type Column } from '../output.js'
import { parseLimit } from './common.js'

const columns: Column<AuditEntry>[] = [
  { header: 'at', value: (e) => e.at },
  { header: 'decision', value: (e) => e.decision },
  { header: 'count', value: (e) => e.count },
  { header: 'principal', value: (e) => e.principal },
  { header: 'action', value: (e) => e.action },
  { header: 'resource', value: (e) => e.resource },
  { header: 'policies', value: (e) => e.policies.join(' ') },
  { header: 'reason', value: (e) => e.reason },
]

export function auditCommand(): Command {
  const audit = new Command('audit').description('The audit log of every authorisation decision')
  audit.addCommand(
    withExamples(
      new Command('ls')
        .description('List decisions, newest first')
        .option('--principal <issuer#subject>', 'only this identity')
        .option('--action <action>', 'only this action')
        .addOption(
          new Option('--decision <decision>', 'only this decision').choices([
            'allow',
            'deny',
            'unauthenticated',
          ]),
        )
        .option('--since <time>', 'from this ISO time')
        .option('--until <time>', 'before this ISO time')
        .option('--limit <n>', 'show at most n (default 50)', parseLimit)
        .action(
          async (
            opts: {
              principal?: string
              action?: string
              decision?: AuditEntry['decision']
              since?: string
              until?: string
              limit?: number
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const c = client()
            const limit = opts.limit ?? 50
            const query = {
              principal: opts.principal,
              action: opts.action,
              decision: opts.decision,
              since: opts.since,
              until: opts.until,
              limit: Math.min(limit, 500),
            }
            const items: AuditEntry[] = []
            for await (const e of ContinuumClient.pages(
              (q: typeof query) => c.audit.list(q),
              query,
            )) {
              items.push(e)
              if (items.length >= limit) break
            }
            printResult(out, items, (rows) =>
              rows.length ? formatTable(rows, columns) : 'no decisions match',
            )
          },
        ),
      'continuum audit ls --decision deny --since 2026-03-01T00:00:00Z',
    ),
  )
  return withExamples(audit, 'continuum audit ls --limit 20')
}
