/** `continuum data …`: the namespace, expressions and replicas (endpoints in data-endpoints.ts). */
import { Command, Option } from 'commander'
import type { Did, Meta, Replica } from '../../contract/index.js'
import { didTypes } from '../../contract/closed-sets.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column, type Output } from '../output.js'
import { parseLimit, removeEach } from './common.js'
import { collect, parseDidArg, parsePairs } from './data-args.js'
import { endpointColumns, endpointCommand, registerCommand } from './data-endpoints.js'
import { badCommand, quotaCommand, ruleCommand } from './data-rules.js'
import { downloadCommand, uploadCommand } from './data-transfer.js'

const didColumns: Column<Did>[] = [
  { header: 'did', value: (d) => `${d.scope}:${d.name}` },
  { header: 'type', value: (d) => d.type },
  { header: 'status', value: (d) => d.status },
  { header: 'bytes', value: (d) => d.bytes },
  { header: 'adler32', value: (d) => d.adler32 },
  { header: 'meta', value: (d) => (Object.keys(d.meta).length ? JSON.stringify(d.meta) : '') },
]
const replicaColumns: Column<Replica>[] = [
  { header: 'did', value: (r) => `${r.scope}:${r.name}` },
  { header: 'endpoint', value: (r) => r.endpoint },
  { header: 'state', value: (r) => r.state },
  { header: 'bytes', value: (r) => r.bytes },
  { header: 'adler32', value: (r) => r.adler32 },
  { header: 'locks', value: (r) => r.lockCount },
  { header: 'url', value: (r) => r.urls[0] ?? r.path },
]

export function dataCommand(): Command {
  const data = new Command('data').description(
    'The data federation: namespace, endpoints, replicas',
  )
  data.addCommand(scopeCommand())
  data.addCommand(lsCommand())

  data.addCommand(
    withExamples(
      new Command('add')
        .description('Add a file, dataset or container')
        .argument('<did>', 'scope:name')
        .addOption(
          new Option('--type <type>', 'kind of identifier').choices(didTypes).default('dataset'),
        )
        .option('--bytes <n>', 'size of a file', parseLimit)
        .option('--adler32 <hex>', 'adler32 of a file, 8 hex digits')
        .option('--monotonic', 'collections: content may only grow')
        .option('--meta <key=value>', 'metadata (repeatable)', collect)
        .action(
          async (
            did: string,
            opts: {
              type: Did['type']
              bytes?: number
              adler32?: string
              monotonic?: boolean
              meta?: string[]
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const ref = parseDidArg(did)
            const created = await client().data.addDid({
              ...ref,
              type: opts.type,
              ...(opts.bytes === undefined ? {} : { bytes: opts.bytes }),
              ...(opts.adler32 === undefined ? {} : { adler32: opts.adler32 }),
              ...(opts.monotonic ? { monotonic: true } : {}),
              ...(opts.meta ? { meta: parsePairs(opts.meta) } : {}),
            })
            printResult(out, created, (d) => `added ${d.type} ${d.scope}:${d.name}`)
          },
        ),
      'continuum data add lofar:L2026_001 --type dataset --meta cycle=20',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('show')
        .description('Show one identifier')
        .argument('<did>', 'scope:name')
        .action(async (did: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().data.getDid(parseDidArg(did)), (d) => formatRecord(d))
        }),
      'continuum data show atlas:data18.raw.0001',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('meta')
        .description('Set or remove metadata keys')
        .argument('<did>', 'scope:name')
        .argument('[pairs...]', 'key=value to set')
        .option('--unset <key>', 'remove a key (repeatable)', collect)
        .action(async (did: string, pairs: string[], opts: { unset?: string[] }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const meta: Record<string, Meta[string] | null> = { ...parsePairs(pairs) }
          for (const key of opts.unset ?? []) meta[key] = null
          if (Object.keys(meta).length === 0) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              'nothing to change: give key=value or --unset key',
            )
          }
          printResult(
            out,
            await client().data.updateDid(parseDidArg(did), { meta }),
            (d) => `updated ${d.scope}:${d.name}: ${JSON.stringify(d.meta)}`,
          )
        }),
      'continuum data meta atlas:run1 run=1001 stream=physics --unset draft',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('close')
        .description('Close a dataset or container: nothing more can be attached')
        .argument('<did>', 'scope:name')
        .action(async (did: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(
            out,
            await client().data.updateDid(parseDidArg(did), { status: 'closed' }),
            (d) => `closed ${d.scope}:${d.name}`,
          )
        }),
      'continuum data close lofar:L2026_001',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('rm')
        .description('Delete identifiers (names stay taken; replicas are tombstoned)')
        .argument('<dids...>', 'scope:name')
        .action(async (dids: string[], _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await removeEach(out, dids, 'identifier', (d) => c.data.deleteDid(parseDidArg(d)))
        }),
      'continuum data rm user.jdoe:tmp1 user.jdoe:tmp2',
    ),
  )

  for (const verb of ['attach', 'detach'] as const) {
    data.addCommand(
      withExamples(
        new Command(verb)
          .description(
            verb === 'attach'
              ? 'Attach files to a dataset, or collections to a container'
              : 'Detach content from an open collection',
          )
          .argument('<parent>', 'scope:name of the dataset or container')
          .argument('<children...>', 'scope:name of each child')
          .action(async (parent: string, children: string[], _o: unknown, cmd: Command) => {
            const { out, client } = cliContext(cmd)
            const c = client()
            const refs = children.map(parseDidArg)
            const result =
              verb === 'attach'
                ? await c.data.attach(parseDidArg(parent), refs)
                : await c.data.detach(parseDidArg(parent), refs)
            printResult(
              out,
              result,
              (r) =>
                `${verb}ed ${'attached' in r ? r.attached : r.detached} of ${refs.length} to/from ${parent}`,
            )
          }),
        `continuum data ${verb} lofar:L2026_001 lofar:L2026_001_SB000.MS lofar:L2026_001_SB001.MS`,
      ),
    )
  }

  data.addCommand(
    withExamples(
      new Command('content')
        .description('Direct content of a dataset or container')
        .argument('<did>', 'scope:name')
        .action(async (did: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await streamPages(
            out,
            (cursor) => c.data.listContent(parseDidArg(did), { limit: 500, cursor }),
            didColumns,
          )
        }),
      'continuum data content lofar:L2026_001',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('replicas')
        .description('Replicas of a file or of every file below a collection')
        .argument('<did>', 'scope:name')
        .action(async (did: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().data.listReplicas(parseDidArg(did)), (rows) =>
            rows.length ? formatTable(rows, replicaColumns) : 'no replicas',
          )
        }),
      'continuum data replicas atlas:data18.raw.0001',
    ),
  )

  data.addCommand(
    withExamples(
      new Command('endpoints')
        .description('List storage endpoints, or show what an expression selects')
        .argument('[expression]', "endpoint expression, e.g. 'tier=1&country=DE'")
        .action(async (expression: string | undefined, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().data.listEndpoints(expression), (rows) =>
            rows.length ? formatTable(rows, endpointColumns) : 'no endpoints',
          )
        }),
      "continuum data endpoints 'tier=1&country=DE'",
      "continuum data endpoints '(country=DE|country=FR)\\type=tape'",
    ),
  )
  data.addCommand(endpointCommand())
  data.addCommand(registerCommand())
  data.addCommand(ruleCommand())
  data.addCommand(quotaCommand())
  data.addCommand(badCommand())
  data.addCommand(uploadCommand())
  data.addCommand(downloadCommand())
  return withExamples(
    data,
    "continuum data ls 'atlas:data18*' --filter 'run>1000'",
    "continuum data endpoints 'country=DE|country=FR'",
  )
}

function scopeCommand(): Command {
  const scope = withExamples(
    new Command('scope').description('Scopes: the first part of every data identifier'),
    'continuum data scope add lofar --community lofar',
  )
  scope.addCommand(
    withExamples(
      new Command('add')
        .description('Add a scope')
        .argument('<name>', 'scope name')
        .option('--community <name>', 'catalogue community owning it')
        .option('--account <name>', 'owning account')
        .option('--public', 'open data: every authenticated identity may read it')
        .action(
          async (
            name: string,
            opts: { community?: string; account?: string; public?: boolean },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            printResult(
              out,
              await client().data.addScope({ name, ...opts }),
              (s) => `added scope ${s.name}`,
            )
          },
        ),
      'continuum data scope add user.jdoe',
    ),
  )
  scope.addCommand(
    withExamples(
      new Command('ls').description('List scopes').action(async (_o: unknown, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(out, await client().data.listScopes(), (rows) =>
          formatTable(rows, [
            { header: 'scope', value: (s) => s.name },
            { header: 'account', value: (s) => s.account },
            { header: 'community', value: (s) => s.community },
            { header: 'public', value: (s) => (s.public ? 'yes' : 'no') },
          ]),
        )
      }),
      'continuum data scope ls --json',
    ),
  )
  return scope
}

function lsCommand(): Command {
  return withExamples(
    new Command('ls')
      .description(
        "List identifiers of a scope by name pattern ('*' wildcard), type and metadata; streamed page by page",
      )
      .argument('<pattern>', "scope:name-pattern, e.g. 'atlas:data18*' or 'atlas:*'")
      .addOption(new Option('--type <type>', 'only this type').choices(didTypes))
      .option('--filter <conditions>', "metadata conditions joined by ',': run>1000,stream=physics")
      .option('--limit <n>', 'stop after n', parseLimit)
      .action(
        async (
          pattern: string,
          opts: { type?: Did['type']; filter?: string; limit?: number },
          cmd: Command,
        ) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const { scope, name } = parseDidArg(
            pattern.includes(':') && !pattern.endsWith(':')
              ? pattern
              : `${pattern.replace(/:$/, '')}:*`,
          )
          await streamPages(
            out,
            (cursor) =>
              c.data.listDids({
                scope,
                name,
                type: opts.type,
                filter: opts.filter,
                limit: 500,
                cursor,
              }),
            didColumns,
            opts.limit,
          )
        },
      ),
    "continuum data ls 'atlas:*' --filter 'run>1000'",
    'continuum data ls lofar:L2026* --type dataset --json',
  )
}

/** Prints a paged listing as it arrives: one table (or one JSON array) without holding it all. */
async function streamPages<T>(
  out: Output,
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>,
  columns: Column<T>[],
  limit?: number,
): Promise<void> {
  let cursor: string | undefined
  let shown = 0
  if (out.json) process.stdout.write('[')
  do {
    const page = await fetchPage(cursor)
    const items = limit === undefined ? page.items : page.items.slice(0, limit - shown)
    if (out.json) {
      process.stdout.write(items.map((i) => `${shown++ ? ',' : ''}\n${JSON.stringify(i)}`).join(''))
    } else if (items.length) {
      const table = formatTable(items, columns)
      out.write(shown === 0 ? table : table.slice(table.indexOf('\n') + 1))
      shown += items.length
    }
    cursor = page.next ?? undefined
  } while (cursor !== undefined && (limit === undefined || shown < limit))
  if (out.json) process.stdout.write('\n]\n')
  else if (shown === 0) out.write('nothing matches')
}
