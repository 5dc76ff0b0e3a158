/**
 * `continuum catalog <kind> ls|show|add|update|rm` for the landscape records: sites, compute and
 * storage services, software environments, network links, access policies, allocations, working
 * groups and members. `add`/`update` read the record from a YAML or JSON file (or inline
 * `--set key=value` pairs), written exactly as the API request.
 */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import type { ContinuumClient } from '../../client/index.js'
import type { RecordsClient } from '../../client/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult } from '../output.js'
import { parseLimit, removeEach } from './common.js'

type Rec = Record<string, unknown> & { name: string }
interface KindCli {
  command: string
  label: string
  client: (c: ContinuumClient) => RecordsClient<unknown>
  columns: string[]
  filter?: 'infrastructure' | 'community'
  example: string
}

const kinds: KindCli[] = [
  {
    command: 'site',
    label: 'sites',
    client: (c) => c.landscape.sites,
    columns: ['name', 'infrastructure', 'country', 'city', 'tier'],
    filter: 'infrastructure',
    example: 'continuum catalog site ls --infrastructure gridka',
  },
  {
    command: 'compute',
    label: 'compute services',
    client: (c) => c.landscape.computeServices,
    columns: ['name', 'infrastructure', 'batchSystem', 'cores', 'maxWalltimeHours'],
    filter: 'infrastructure',
    example: 'continuum catalog compute show lumi-g',
  },
  {
    command: 'storage',
    label: 'storage services',
    client: (c) => c.landscape.storageServices,
    columns: ['name', 'infrastructure', 'media', 'protocols', 'capacityTB'],
    filter: 'infrastructure',
    example: 'continuum catalog storage ls --infrastructure cern-t0',
  },
  {
    command: 'software',
    label: 'software environments',
    client: (c) => c.landscape.softwareEnvironments,
    columns: ['name', 'kind', 'reference'],
    example: 'continuum catalog software ls',
  },
  {
    command: 'link',
    label: 'network links',
    client: (c) => c.landscape.networkLinks,
    columns: ['name', 'from', 'to', 'bandwidthGbps', 'latencyMs'],
    example: 'continuum catalog link ls',
  },
  {
    command: 'policy',
    label: 'access policies',
    client: (c) => c.landscape.accessPolicies,
    columns: ['name', 'infrastructure', 'route', 'allocationUnit', 'periodMonths'],
    filter: 'infrastructure',
    example: 'continuum catalog policy show egi-vo-membership',
  },
  {
    command: 'allocation',
    label: 'allocations',
    client: (c) => c.landscape.allocations,
    columns: ['name', 'community', 'service', 'amount', 'unit', 'used'],
    filter: 'community',
    example: 'continuum catalog allocation ls --community atlas',
  },
  {
    command: 'group',
    label: 'working groups',
    client: (c) => c.landscape.workingGroups,
    columns: ['name', 'community', 'title'],
    filter: 'community',
    example: 'continuum catalog group ls --community spectrum',
  },
  {
    command: 'member',
    label: 'community members',
    client: (c) => c.landscape.members,
    columns: ['name', 'community', 'displayName', 'roles', 'workingGroups'],
    filter: 'community',
    example: 'continuum catalog member ls --community spectrum',
  },
  {
    command: 'usecase',
    label: 'use cases',
    client: (c) => c.landscape.useCases,
    columns: ['name', 'community', 'status', 'title'],
    filter: 'community',
    example: 'continuum catalog usecase add -f my-use-case.yaml',
  },
  {
    command: 'doc',
    label: 'knowledge-hub documents',
    client: (c) => c.landscape.documents,
    columns: ['name', 'title', 'tags', 'url'],
    example:
      'continuum catalog doc add --set name=notes --set title="Staging notes" --set text="…"',
  },
]

/** Reads a record from --file and/or --set key=value (values parsed as YAML: numbers, lists, booleans). */
async function readInput(opts: {
  file?: string
  set?: string[]
}): Promise<Record<string, unknown>> {
  // yaml is loaded here, not at start: `catalog … ls` should not pay its ~40 ms
  const { parse: parseYaml } = await import('yaml')
  let out: Record<string, unknown> = {}
  if (opts.file) {
    let parsed: unknown
    try {
      parsed = parseYaml(readFileSync(opts.file, 'utf8'))
    } catch (err) {
      throw new ContinuumError('INVALID_ARGUMENT', `${opts.file}: ${(err as Error).message}`)
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ContinuumError('INVALID_ARGUMENT', `${opts.file}: expected one record (a map)`)
    }
    out = parsed as Record<string, unknown>
  }
  for (const pair of opts.set ?? []) {
    const eq = pair.indexOf('=')
    if (eq < 1) throw new ContinuumError('INVALID_ARGUMENT', `--set ${pair}: expected key=value`)
    out[pair.slice(0, eq)] = parseYaml(pair.slice(eq + 1)) as unknown
  }
  if (Object.keys(out).length === 0) {
    throw new ContinuumError('INVALID_ARGUMENT', 'nothing given: use --file or --set key=value')
  }
  return out
}

const collect = (v: string, prev: string[] = []) => [...prev, v]

export function catalogRecordCommands(): Command[] {
  return kinds.map((k) => {
    const cmd = withExamples(
      new Command(k.command).description(`${k.label[0]!.toUpperCase()}${k.label.slice(1)}`),
      k.example,
    )
    const ls = new Command('ls')
      .description(`List ${k.label}`)
      .option('-q, --search <text>', 'name contains')
      .option('--limit <n>', 'show at most n', parseLimit)
    if (k.filter) ls.option(`--${k.filter} <name>`, `only this ${k.filter}`)
    ls.action(
      async (
        opts: { search?: string; limit?: number; infrastructure?: string; community?: string },
        c: Command,
      ) => {
        const { out, client } = cliContext(c)
        const api = k.client(client())
        const items: Rec[] = []
        let cursor: string | undefined
        do {
          const page = await api.list({
            q: opts.search,
            limit: 500,
            cursor,
            ...(k.filter ? { [k.filter]: opts[k.filter] } : {}),
          })
          items.push(...(page.items as Rec[]))
          cursor = page.next ?? undefined
        } while (cursor && (opts.limit === undefined || items.length < opts.limit))
        const shown = opts.limit === undefined ? items : items.slice(0, opts.limit)
        printResult(out, shown, (rows) =>
          rows.length
            ? formatTable(
                rows,
                k.columns.map((col) => ({
                  header: col,
                  value: (r: Rec) =>
                    Array.isArray(r[col])
                      ? (r[col] as unknown[]).join(',')
                      : (r[col] as string | number | null),
                })),
              )
            : `no ${k.label} match`,
        )
      },
    )
    cmd.addCommand(
      withExamples(ls, `continuum catalog ${k.command} ls${k.filter ? ` --${k.filter} NAME` : ''}`),
    )
    cmd.addCommand(
      withExamples(
        new Command('show')
          .description(`Show one of the ${k.label}`)
          .argument('<name>', 'name or id')
          .action(async (name: string, _o: unknown, c: Command) => {
            const { out, client } = cliContext(c)
            printResult(out, (await k.client(client()).get(name)) as Rec, (r) => formatRecord(r))
          }),
        `continuum catalog ${k.command} show NAME`,
      ),
    )
    cmd.addCommand(
      withExamples(
        new Command('add')
          .description(`Add one of the ${k.label} from a YAML/JSON file and/or --set key=value`)
          .option('-f, --file <file>', 'the record as YAML or JSON')
          .option('--set <key=value>', 'a field (repeatable; value parsed as YAML)', collect)
          .action(async (opts: { file?: string; set?: string[] }, c: Command) => {
            const { out, client } = cliContext(c)
            const created = (await k.client(client()).add(await readInput(opts))) as Rec
            printResult(out, created, (r) => `added ${k.command} ${r.name}`)
          }),
        `continuum catalog ${k.command} add -f record.yaml`,
      ),
    )
    cmd.addCommand(
      withExamples(
        new Command('update')
          .description(`Change fields of one of the ${k.label}`)
          .argument('<name>', 'name or id')
          .option('-f, --file <file>', 'fields as YAML or JSON')
          .option('--set <key=value>', 'a field (repeatable; value parsed as YAML)', collect)
          .action(async (name: string, opts: { file?: string; set?: string[] }, c: Command) => {
            const { out, client } = cliContext(c)
            const updated = (await k.client(client()).update(name, await readInput(opts))) as Rec
            printResult(out, updated, (r) => `updated ${k.command} ${r.name}`)
          }),
        `continuum catalog ${k.command} update NAME --set description="…"`,
      ),
    )
    cmd.addCommand(
      withExamples(
        new Command('rm')
          .description(`Delete ${k.label} (each reported on its own)`)
          .argument('<names...>', 'names or ids')
          .action(async (names: string[], _o: unknown, c: Command) => {
            const { out, client } = cliContext(c)
            const api = k.client(client())
            await removeEach(out, names, k.command, (n) => api.delete(n))
          }),
        `continuum catalog ${k.command} rm NAME`,
      ),
    )
    return cmd
  })
}
