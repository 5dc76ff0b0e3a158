/** `continuum catalog …`: communities and infrastructures of the landscape. */
import { Command, Option } from 'commander'
import { ContinuumClient } from '../../client/index.js'
import type { Community, Infrastructure } from '../../contract/index.js'
import { infrastructureKinds, infrastructureStatuses } from '../../contract/closed-sets.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column } from '../output.js'
import { catalogIoCommands } from './catalog-io.js'
import { catalogRecordCommands } from './catalog-records.js'
import { parseLimit, removeEach } from './common.js'

const infraColumns: Column<Infrastructure>[] = [
  { header: 'name', value: (i) => i.name },
  { header: 'kind', value: (i) => i.kind },
  { header: 'country', value: (i) => i.country },
  { header: 'status', value: (i) => i.status },
  { header: 'part of', value: (i) => i.partOf },
  { header: 'operator', value: (i) => i.operator },
  { header: 'title', value: (i) => i.title },
]

const communityColumns: Column<Community>[] = [
  { header: 'name', value: (c) => c.name },
  { header: 'field', value: (c) => c.field },
  { header: 'title', value: (c) => c.title },
]

export function catalogCommand(): Command {
  const catalog = new Command('catalog').description(
    'The landscape catalogue: communities and e-Infrastructures',
  )
  catalog.addCommand(infraCommand())
  catalog.addCommand(communityCommand())
  for (const c of [...catalogIoCommands(), ...catalogRecordCommands()]) catalog.addCommand(c)
  return withExamples(catalog, 'continuum catalog infra ls --kind HPC')
}

function infraCommand(): Command {
  const infra = withExamples(
    new Command('infra')
      .alias('infrastructure')
      .description('e-Infrastructures: HPC centres, HTC grids, clouds, data services'),
    'continuum catalog infra show lumi',
  )

  infra.addCommand(
    withExamples(
      new Command('ls')
        .description('List infrastructures')
        .addOption(new Option('--kind <kind>', 'only this kind').choices(infrastructureKinds))
        .option('--country <code>', 'only this ISO 3166 country code')
        .addOption(
          new Option('--status <status>', 'only this status').choices(infrastructureStatuses),
        )
        .option('--part-of <name>', 'only members of this federation')
        .option('-q, --search <text>', 'name or title contains')
        .option('--limit <n>', 'show at most n', parseLimit)
        .action(
          async (
            opts: {
              kind?: Infrastructure['kind']
              country?: string
              status?: Infrastructure['status']
              partOf?: string
              search?: string
              limit?: number
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const c = client()
            const items: Infrastructure[] = []
            const query = {
              kind: opts.kind,
              country: opts.country,
              status: opts.status,
              partOf: opts.partOf,
              q: opts.search,
              limit: Math.min(opts.limit ?? 500, 500),
            }
            for await (const item of ContinuumClient.pages(
              (q: typeof query) => c.catalog.listInfrastructures(q),
              query,
            )) {
              items.push(item)
              if (opts.limit !== undefined && items.length >= opts.limit) break
            }
            printResult(out, items, (rows) =>
              rows.length ? formatTable(rows, infraColumns) : 'no infrastructures match',
            )
          },
        ),
      'continuum catalog infra ls --kind HPC --country DE',
      'continuum catalog infra ls --part-of egi --json',
    ),
  )

  infra.addCommand(
    withExamples(
      new Command('show')
        .description('Show one infrastructure')
        .argument('<name>', 'name or id')
        .action(async (name: string, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().catalog.getInfrastructure(name), (i) => formatRecord(i))
        }),
      'continuum catalog infra show lumi',
    ),
  )

  infra.addCommand(
    withExamples(
      new Command('add')
        .description('Add an infrastructure')
        .argument('<name>', 'short name: lower-case letters, digits, . _ -')
        .requiredOption('--title <title>', 'full name')
        .addOption(
          new Option('--kind <kind>', 'kind of resource')
            .choices(infrastructureKinds)
            .makeOptionMandatory(),
        )
        .requiredOption('--operator <org>', 'organisation that runs it')
        .requiredOption('--country <code>', "ISO 3166-1 alpha-2 code, or 'EU'")
        .option('--url <url>', 'home page')
        .addOption(
          new Option('--status <status>', 'lifecycle status').choices(infrastructureStatuses),
        )
        .option('--part-of <name>', 'federation or programme it belongs to')
        .option('--description <text>', 'what it offers')
        .option('--source <url>', 'public page the facts come from')
        .action(
          async (
            name: string,
            opts: {
              title: string
              kind: Infrastructure['kind']
              operator: string
              country: string
              url?: string
              status?: Infrastructure['status']
              partOf?: string
              description?: string
              source?: string
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const created = await client().catalog.addInfrastructure({ name, ...opts })
            printResult(out, created, (i) => `added infrastructure ${i.name} (${i.id})`)
          },
        ),
      'continuum catalog infra add jsc-jureca --title "JURECA-DC" --kind HPC --operator "Jülich Supercomputing Centre" --country DE',
    ),
  )

  infra.addCommand(
    withExamples(
      new Command('update')
        .description('Change fields of an infrastructure')
        .argument('<name>', 'name or id')
        .option('--title <title>', 'full name')
        .addOption(new Option('--kind <kind>', 'kind of resource').choices(infrastructureKinds))
        .option('--operator <org>', 'organisation that runs it')
        .option('--country <code>', 'ISO 3166-1 alpha-2 code')
        .option('--url <url>', "home page ('' to clear)")
        .addOption(
          new Option('--status <status>', 'lifecycle status').choices(infrastructureStatuses),
        )
        .option('--part-of <name>', "federation it belongs to ('' to clear)")
        .option('--description <text>', 'what it offers')
        .option('--source <url>', "public page the facts come from ('' to clear)")
        .action(async (name: string, opts: Record<string, string | undefined>, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const patch: Record<string, string | null> = {}
          for (const [key, value] of Object.entries(opts)) {
            if (value === undefined) continue
            patch[key] = value === '' && ['url', 'partOf', 'source'].includes(key) ? null : value
          }
          if (Object.keys(patch).length === 0) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              'nothing to change: give at least one option (see --help)',
            )
          }
          const updated = await client().catalog.updateInfrastructure(name, patch)
          printResult(out, updated, (i) => `updated infrastructure ${i.name}`)
        }),
      'continuum catalog infra update lumi --status operational --part-of eurohpc',
    ),
  )

  infra.addCommand(
    withExamples(
      new Command('rm')
        .description('Delete infrastructures (each reported on its own)')
        .argument('<names...>', 'names or ids')
        .action(async (names: string[], _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await removeEach(out, names, 'infrastructure', (n) => c.catalog.deleteInfrastructure(n))
        }),
      'continuum catalog infra rm old-cluster other-cluster',
    ),
  )
  return infra
}

function communityCommand(): Command {
  const community = withExamples(
    new Command('community').description('Research communities (ATLAS, CMS, LOFAR, SKA …)'),
    'continuum catalog community ls',
  )

  community.addCommand(
    withExamples(
      new Command('ls')
        .description('List communities')
        .option('--field <field>', 'only this research field')
        .option('-q, --search <text>', 'name or title contains')
        .option('--limit <n>', 'show at most n', parseLimit)
        .action(async (opts: { field?: string; search?: string; limit?: number }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const items: Community[] = []
          const query = {
            field: opts.field,
            q: opts.search,
            limit: Math.min(opts.limit ?? 500, 500),
          }
          for await (const item of ContinuumClient.pages(
            (q: typeof query) => c.catalog.listCommunities(q),
            query,
          )) {
            items.push(item)
            if (opts.limit !== undefined && items.length >= opts.limit) break
          }
          printResult(out, items, (rows) =>
            rows.length ? formatTable(rows, communityColumns) : 'no communities match',
          )
        }),
      'continuum catalog community ls --field "Radio Astronomy"',
    ),
  )

  community.addCommand(
    withExamples(
      new Command('show')
        .description('Show one community')
        .argument('<name>', 'name or id')
        .action(async (name: string, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().catalog.getCommunity(name), (c) => formatRecord(c))
        }),
      'continuum catalog community show atlas',
    ),
  )

  community.addCommand(
    withExamples(
      new Command('add')
        .description('Add a community')
        .argument('<name>', 'short name: lower-case letters, digits, . _ -')
        .requiredOption('--title <title>', 'full name')
        .option('--field <field>', 'research field')
        .option('--description <text>', 'what the community does')
        .option('--homepage <url>', 'home page')
        .action(
          async (
            name: string,
            opts: { title: string; field?: string; description?: string; homepage?: string },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const created = await client().catalog.addCommunity({ name, ...opts })
            printResult(out, created, (c) => `added community ${c.name} (${c.id})`)
          },
        ),
      'continuum catalog community add lofar --title "LOFAR" --field "Radio Astronomy"',
    ),
  )

  community.addCommand(
    withExamples(
      new Command('update')
        .description('Change fields of a community')
        .argument('<name>', 'name or id')
        .option('--title <title>', 'full name')
        .option('--field <field>', "research field ('' to clear)")
        .option('--description <text>', 'what the community does')
        .option('--homepage <url>', "home page ('' to clear)")
        .action(async (name: string, opts: Record<string, string | undefined>, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const patch: Record<string, string | null> = {}
          for (const [key, value] of Object.entries(opts)) {
            if (value !== undefined) {
              patch[key] = value === '' && key !== 'description' ? null : value
            }
          }
          if (Object.keys(patch).length === 0) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              'nothing to change: give at least one option (see --help)',
            )
          }
          const updated = await client().catalog.updateCommunity(name, patch)
          printResult(out, updated, (c) => `updated community ${c.name}`)
        }),
      'continuum catalog community update lofar --homepage https://www.lofar.eu',
    ),
  )

  community.addCommand(
    withExamples(
      new Command('rm')
        .description('Delete communities (each reported on its own)')
        .argument('<names...>', 'names or ids')
        .action(async (names: string[], _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          await removeEach(out, names, 'community', (n) => c.catalog.deleteCommunity(n))
        }),
      'continuum catalog community rm test-community',
    ),
  )
  return community
}
