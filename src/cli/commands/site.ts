/**
 * `continuum site …`: compute sites — catalogue compute services bound to executors (local or
 * Slurm) — and catalogue storage services bound to the federation's endpoints.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import type { ComputeSite, ComputeSiteCreate, StorageBinding } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Column } from '../output.js'
import { parseLimit, removeEach } from './common.js'
import { collect } from './data-args.js'

const siteColumns: Column<ComputeSite>[] = [
  { header: 'name', value: (s) => s.name },
  { header: 'service', value: (s) => s.service ?? '-' },
  { header: 'executor', value: (s) => s.executor + (s.partition ? `:${s.partition}` : '') },
  { header: 'state', value: (s) => s.state },
  { header: 'cores', value: (s) => s.offers?.cores ?? null },
  { header: 'tasks', value: (s) => s.activeTasks },
  { header: 'near', value: (s) => s.nearEndpoints.join(',') },
  {
    header: 'environments',
    value: (s) =>
      s.declaredEnvironments.length + (s.offers?.environments.length ?? 0) > 0
        ? [...new Set([...s.declaredEnvironments, ...(s.offers?.environments ?? [])])].join(',')
        : '',
  },
]

const bindingColumns: Column<StorageBinding>[] = [
  { header: 'service', value: (b) => b.service },
  { header: 'site', value: (b) => b.catalogueSite },
  { header: 'endpoints', value: (b) => b.endpoints.join(', ') },
]

/** `2h`, `30m`, `90s`, `1d` or plain seconds. */
export function parseSeconds(value: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim())
  if (!m) throw new InvalidArgumentError('expected a duration such as 90, 30m, 2h or 1d')
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd']
  const n = Number(m[1]) * unit
  if (n < 1) throw new InvalidArgumentError('expected a positive duration')
  return n
}

function pairs(values: readonly string[], what: string): Array<[string, string]> {
  return values.map((v) => {
    const i = v.indexOf('=')
    if (i <= 0 || i === v.length - 1) {
      throw new InvalidArgumentError(`${what}: expected key=value, got '${v}'`)
    }
    return [v.slice(0, i), v.slice(i + 1)]
  })
}

function showSite(s: ComputeSite): string {
  return [
    formatRecord({
      name: s.name,
      service: s.service,
      infrastructure: s.infrastructure,
      'catalogue site': s.catalogueSite,
      executor: s.executor,
      state: s.state,
      root: s.root,
      partition: s.partition,
      'bin dir': s.binDir,
      images: s.images,
      'slurm.conf': s.slurmConf,
      accounts: Object.entries(s.accounts)
        .map(([c, a]) => `${c}=${a}`)
        .join(', '),
      'max tasks': s.maxTasks,
      'max walltime': s.maxWalltimeS === null ? null : `${s.maxWalltimeS} s`,
      near: s.nearEndpoints.join(', '),
      links: Object.entries(s.links)
        .map(([e, g]) => `${e}=${g} Gb/s`)
        .join(', '),
      environments: s.environments.join(', '),
      offers: s.offers
        ? `${s.offers.cores} cores, ${s.offers.memoryMb} MiB` +
          (s.offers.partitions.length
            ? `; partitions ${s.offers.partitions.map((p) => `${p.name} (${p.state}, ${p.nodes} nodes, ${p.cpus} cpus)`).join(', ')}`
            : '') +
          (s.offers.containerRuntimes.length
            ? `; runtimes ${s.offers.containerRuntimes.join(', ')}`
            : '')
        : null,
      checked: s.offers?.checkedAt ?? null,
      'unfinished tasks': s.activeTasks,
      'created by': s.createdBy,
    }),
  ].join('\n')
}

export function siteCommand(): Command {
  const site = withExamples(
    new Command('site').description(
      'Compute sites: catalogue compute services bound to executors (local, Slurm); storage services bound to endpoints',
    ),
    'continuum site ls',
    'continuum site add demo-slurm --executor slurm --partition debug --slurm-conf /etc/slurm/slurm.conf --account lofar=lofar_prj',
  )
  site.addCommand(
    withExamples(
      new Command('ls')
        .description('List compute sites (with --storage: storage services bound to endpoints)')
        .option('--storage', 'list storage bindings instead')
        .action(async (opts: { storage?: boolean }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          if (opts.storage) {
            const items = await client().sites.storageBindings()
            printResult(out, { items }, (x) =>
              x.items.length ? formatTable(x.items, bindingColumns) : 'no storage bindings',
            )
            return
          }
          const items = await client().sites.list()
          printResult(out, { items }, (x) =>
            x.items.length ? formatTable(x.items, siteColumns) : 'no compute sites',
          )
        }),
      'continuum site ls',
      'continuum site ls --storage --json',
    ),
  )
  site.addCommand(
    withExamples(
      new Command('show')
        .description('Show a site: binding, what its executor offers, unfinished tasks')
        .argument('<name>')
        .action(async (name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().sites.get(name), showSite)
        }),
      'continuum site show demo-slurm',
    ),
  )
  site.addCommand(
    withExamples(
      new Command('add')
        .description(
          'Bind a catalogue compute service to an executor; the executor is asked what it offers first',
        )
        .argument('<service>', 'catalogue compute service (name or id)')
        .option('--name <site>', 'site name (default: the service name)')
        .addOption(
          new Option('--executor <kind>', 'how jobs run')
            .choices(['local', 'slurm', 'arc'])
            .makeOptionMandatory(),
        )
        .option(
          '--root <dir>',
          'run folders (shared with the nodes, for Slurm); default <home>/runs/<site>',
        )
        .option('--partition <name>', 'Slurm partition, or ARC CE queue')
        .option('--bin-dir <dir>', 'folder of sbatch/squeue/scontrol/scancel/sinfo')
        .option('--slurm-conf <file>', 'SLURM_CONF of the cluster')
        .option(
          '--images <dir>',
          "a local site's image store: OCI layouts (<name>/) or archives (<name>.tar) for tasks' images",
        )
        .option('--endpoint <url>', "ARC CE's REST base (https://ce.example.org:443/arex)")
        .option('--ca-file <file>', 'CA certificates the ARC CE host certificate is checked with')
        .option('--cert-file <file>', 'client certificate for the ARC CE (PEM)')
        .option('--key-file <file>', 'its key (PEM)')
        .option('--token-file <file>', 'bearer token for the ARC CE, instead of a certificate')
        .option(
          '--account <community=account>',
          "account a community's jobs run under (repeatable)",
          collect,
        )
        .option('--max-tasks <n>', 'most tasks in flight here', parseLimit)
        .option('--max-walltime <duration>', 'walltime limit (90, 30m, 2h, 1d)', parseSeconds)
        .option('--near <endpoint>', 'storage endpoint near the site (repeatable)', collect)
        .option(
          '--link <endpoint=gbps>',
          'bandwidth from the site to an endpoint (repeatable)',
          collect,
        )
        .option(
          '--env <environment>',
          'software environment offered (name or /cvmfs path; repeatable)',
          collect,
        )
        .option('--attr <key=value>', 'attribute for site expressions (repeatable)', collect)
        .option('--replace', 're-bind an existing site of that name')
        .action(
          async (
            service: string,
            opts: {
              name?: string
              executor: 'local' | 'slurm' | 'arc'
              root?: string
              partition?: string
              binDir?: string
              slurmConf?: string
              images?: string
              endpoint?: string
              caFile?: string
              certFile?: string
              keyFile?: string
              tokenFile?: string
              account?: string[]
              maxTasks?: number
              maxWalltime?: number
              near?: string[]
              link?: string[]
              env?: string[]
              attr?: string[]
              replace?: boolean
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const links: Record<string, number> = {}
            for (const [e, g] of pairs(opts.link ?? [], '--link')) {
              const n = Number(g)
              if (!(n > 0)) throw new InvalidArgumentError(`--link ${e}: expected Gb/s > 0`)
              links[e] = n
            }
            const attributes: Record<string, string | number> = {}
            for (const [k, v] of pairs(opts.attr ?? [], '--attr')) {
              attributes[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v
            }
            const input: ComputeSiteCreate = {
              service,
              executor: opts.executor,
              ...(opts.name ? { name: opts.name } : {}),
              ...(opts.root ? { root: opts.root } : {}),
              ...(opts.partition ? { partition: opts.partition } : {}),
              ...(opts.binDir ? { binDir: opts.binDir } : {}),
              ...(opts.slurmConf ? { slurmConf: opts.slurmConf } : {}),
              ...(opts.images ? { images: opts.images } : {}),
              ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
              ...(opts.caFile ? { caFile: opts.caFile } : {}),
              ...(opts.certFile ? { certFile: opts.certFile } : {}),
              ...(opts.keyFile ? { keyFile: opts.keyFile } : {}),
              ...(opts.tokenFile ? { tokenFile: opts.tokenFile } : {}),
              ...(opts.account
                ? { accounts: Object.fromEntries(pairs(opts.account, '--account')) }
                : {}),
              ...(opts.maxTasks ? { maxTasks: opts.maxTasks } : {}),
              ...(opts.maxWalltime ? { maxWalltimeS: opts.maxWalltime } : {}),
              ...(opts.near ? { nearEndpoints: opts.near } : {}),
              ...(opts.link ? { links } : {}),
              ...(opts.env ? { environments: opts.env } : {}),
              ...(opts.attr ? { attributes } : {}),
              ...(opts.replace ? { replace: true } : {}),
            }
            printResult(
              out,
              await client().sites.add(input),
              (s) =>
                `bound ${s.service ?? '-'} as site ${s.name} (${s.executor}${s.partition ? `, partition ${s.partition}` : ''}: ${s.offers?.cores ?? '?'} cores, ${s.offers?.memoryMb ?? '?'} MiB)`,
            )
          },
        ),
      'continuum site add demo-local --executor local --near DEMO_LOCAL --env /cvmfs/sw.example.org',
      'continuum site add lumi-c --executor slurm --partition small --root /scratch/continuum --account lofar=project_465000123 --max-walltime 2d',
      'continuum site add ndgf-t1 --executor arc --endpoint https://arc.example.org:443/arex --ca-file /etc/grid-security/ca.pem --cert-file /etc/continuum/arc-cert.pem --key-file /etc/continuum/arc-key.pem --near NDGF_DATADISK',
    ),
  )
  site.addCommand(
    withExamples(
      new Command('bind')
        .description(
          'Bind a catalogue storage service to endpoints of the data federation (they take its name and catalogue site)',
        )
        .argument('<storage-service>', 'catalogue storage service (name or id)')
        .argument(
          '<endpoints...>',
          'storage endpoints (all of them: others bound before are released)',
        )
        .action(async (service: string, endpoints: string[], _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(
            out,
            await client().sites.bindStorage(service, endpoints),
            (b) =>
              `bound storage service ${b.service} to ${b.endpoints.join(', ')}${b.catalogueSite ? ` (site ${b.catalogueSite})` : ''}`,
          )
        }),
      'continuum site bind demo-storage DEMO_LOCAL DEMO_ARCHIVE',
    ),
  )
  site.addCommand(
    withExamples(
      new Command('drain')
        .description('Stop placing new tasks on a site; placed tasks finish (--undo takes it back)')
        .argument('<name>')
        .option('--undo', 'make the site active again')
        .action(async (name: string, opts: { undo?: boolean }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().sites.drain(name, !opts.undo), (s) =>
            s.state === 'draining'
              ? `site ${s.name} is draining: no new tasks; ${s.activeTasks} unfinished`
              : `site ${s.name} is active again`,
          )
        }),
      'continuum site drain demo-slurm',
      'continuum site drain demo-slurm --undo',
    ),
  )
  site.addCommand(
    withExamples(
      new Command('rm')
        .description('Remove site bindings (refused while a site has unfinished tasks)')
        .argument('<names...>')
        .action(async (names: string[], _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          await removeEach(out, names, 'site', (n) => client().sites.remove(n))
        }),
      'continuum site rm demo-slurm',
    ),
  )
  return site
}
