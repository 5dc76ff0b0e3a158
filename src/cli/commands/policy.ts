/** `continuum policy …`: the Cedar policies the gate decides with. */
import { readFileSync } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import type { Policy, PolicyTestRequest } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column } from '../output.js'
import { removeEach } from './common.js'

const columns: Column<Policy>[] = [
  { header: 'name', value: (p) => p.name },
  { header: 'version', value: (p) => p.version },
  { header: 'source', value: (p) => p.source },
  { header: 'by', value: (p) => p.createdBy },
  { header: 'description', value: (p) => p.description },
]

const collect = (value: string, previous: string[] = []) => [...previous, value]

function parseAttr(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=')
  if (eq < 1) throw new InvalidArgumentError('expected key=value')
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) }
}

function parseResource(value: string): { type: string; id: string } {
  const match = /^([A-Za-z]+)::"?(.+?)"?$/.exec(value)
  if (!match) throw new InvalidArgumentError('expected Type::id, e.g. ComputeService::hpc-a')
  return { type: match[1] as string, id: match[2] as string }
}

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'Cedar policies: who may do what on which resource',
  )

  policy.addCommand(
    withExamples(
      new Command('ls')
        .description('List the current version of every policy')
        .option('--deleted', 'include deleted policies')
        .action(async (opts: { deleted?: boolean }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().policy.list({ deleted: opts.deleted === true }), (rows) =>
            formatTable(rows, columns),
          )
        }),
      'continuum policy ls',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('show')
        .description('Show a policy, its Cedar text and its versions')
        .argument('<name>')
        .action(async (name: string, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(
            out,
            await client().policy.show(name),
            (p) =>
              `${formatRecord({ name: p.name, version: p.version, source: p.source, deleted: p.deleted, by: p.createdBy, at: p.createdAt, description: p.description, versions: p.versions.map((v) => v.version).join(' ') })}\n\n${p.body}`,
          )
        }),
      'continuum policy show admins',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('add')
        .description(
          'Add a policy, or a new version of it, from a Cedar file ("-" reads stdin); validated against the schema',
        )
        .argument('<name>')
        .argument('<file>')
        .option('--description <text>')
        .action(
          async (name: string, file: string, opts: { description?: string }, cmd: Command) => {
            const { out, client } = cliContext(cmd)
            let body: string
            try {
              body = readFileSync(file === '-' ? 0 : file, 'utf8')
            } catch (cause) {
              throw new ContinuumError(
                'INVALID_ARGUMENT',
                `cannot read ${file}`,
                { file },
                { cause },
              )
            }
            const added = await client().policy.add({
              name,
              body,
              ...(opts.description ? { description: opts.description } : {}),
            })
            printResult(out, added, (p) => `policy ${p.name} is at version ${p.version}`)
          },
        ),
      'continuum policy add atlas-submit atlas-submit.cedar --description "ATLAS may submit to LUMI"',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('rm')
        .description('Delete policies (their history stays)')
        .argument('<names...>')
        .action(async (names: string[], _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await removeEach(out, names, 'policy', (n) => c.policy.delete(n))
        }),
      'continuum policy rm atlas-submit',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('sync-access')
        .description(
          "Compile the catalogue's access policies (D5.2) to Cedar and store the changed ones",
        )
        .action(async (_opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const result = await client().policy.syncAccess()
          printResult(out, result, (r) =>
            [
              `${r.compiled.length} access policies compiled (${r.compiled.reduce((n, c) => n + c.policies.length, 0)} Cedar policies), ${r.skipped.length} skipped`,
              ...r.skipped.map((s) => `  skipped ${s.accessPolicy}: ${s.reason}`),
            ].join('\n'),
          )
        }),
      'continuum policy sync-access',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('actions')
        .description("Every action the gate decides: the routes' and the broker's")
        .action(async (_opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const { actions } = await client().policy.schema()
          printResult(out, actions, (a) => a.join('\n'))
        }),
      'continuum policy actions | grep workflows',
    ),
  )
  policy.addCommand(
    withExamples(
      new Command('test')
        .description('Would this identity be allowed this action on this resource, and why?')
        .requiredOption('--subject <sub>', 'token subject')
        .option('--group <group>', 'a wlcg.groups entry (repeatable)', collect)
        .option('--scope <scope>', 'the token scope claim, e.g. "storage.read:/atlas"')
        .requiredOption(
          '--action <action>',
          'e.g. catalog.infrastructure.create (all: continuum policy actions)',
        )
        .requiredOption('--resource <Type::id>', 'e.g. ComputeService::hpc-a', parseResource)
        .option(
          '--attr <key=value>',
          'resource attribute (repeatable), e.g. path=/atlas/x',
          parseAttr,
        )
        .option('--interactive', 'the request is interactive')
        .option('--unattended', 'the request comes from an unattended workflow')
        .action(
          async (
            opts: {
              subject: string
              group?: string[]
              scope?: string
              action: string
              resource: { type: string; id: string }
              attr?: Record<string, string>
              interactive?: boolean
              unattended?: boolean
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const request: PolicyTestRequest = {
              principal: {
                subject: opts.subject,
                groups: opts.group ?? [],
                ...(opts.scope ? { scope: opts.scope } : {}),
              },
              action: opts.action,
              resource: { ...opts.resource, ...(opts.attr ? { attrs: opts.attr } : {}) },
              context: {
                ...(opts.interactive ? { interactive: true } : {}),
                ...(opts.unattended ? { unattended: true } : {}),
              },
            }
            const r = await client().policy.test(request)
            printResult(
              out,
              r,
              (d) =>
                `${d.decision.toUpperCase()}${d.policies.length ? ` by ${d.policies.join(', ')}` : d.decision === 'deny' ? ': no policy permits this' : ''}${d.errors.length ? `\nerrors: ${d.errors.join('; ')}` : ''}`,
            )
          },
        ),
      'continuum policy test --subject alice --group /atlas --action workflows.task.submit --resource ComputeService::lumi-c --attr name=lumi-c --unattended',
    ),
  )
  return withExamples(policy, 'continuum policy ls')
}
