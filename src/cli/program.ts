/**
 * The command tree of `continuum`: global options and one sub-command per domain. Each command's
 * module is imported only when that command runs (`continuum --help` loads none of them): the
 * server commands alone pull in the whole server.
 */
import { Command, Option } from 'commander'
import { logLevels } from '../platform/browser.js'
import { version } from '../platform/version.js'
import { withExamples } from './help.js'

interface CommandEntry {
  name: string
  aliases?: string[]
  /** The command's own description, shown by `continuum --help` without loading it. */
  description: string
  load: () => Promise<Command>
}

const server = () => import('./commands/server-commands.js')
const auth = () => import('./commands/auth.js')

/** Every top-level command, in the order `--help` lists them. */
export const commandEntries: readonly CommandEntry[] = [
  {
    name: 'serve',
    description: 'Run the API server',
    load: async () => (await server()).serveCommand(),
  },
  {
    name: 'worker',
    description:
      'Run the background agents (rules, transfers, workflows …) against the database; run several for more throughput',
    load: async () => (await server()).workerCommand(),
  },
  {
    name: 'migrate',
    description: 'Apply pending database migrations (safe to run from several processes at once)',
    load: async () => (await server()).migrateCommand(),
  },
  {
    name: 'demo',
    description:
      'Run Continuum on this machine: embedded database under CONTINUUM_HOME (or --db postgres://…, migrated), API on :8080',
    load: async () => (await server()).demoCommand(),
  },
  {
    name: 'catalog',
    description: 'The landscape catalogue: communities and e-Infrastructures',
    load: async () => (await import('./commands/catalog.js')).catalogCommand(),
  },
  {
    name: 'landscape',
    description: 'The Plan face: landscape, use cases, matching, gaps, reports',
    load: async () => (await import('./commands/landscape.js')).landscapeCommand(),
  },
  {
    name: 'practice',
    description:
      'Communities of practice: working groups, meetings, surveys, interviews, consultations, the knowledge hub',
    load: async () => (await import('./commands/practice.js')).practiceCommand(),
  },
  {
    name: 'data',
    description: 'The data federation: namespace, endpoints, replicas',
    load: async () => (await import('./commands/data.js')).dataCommand(),
  },
  {
    name: 'transfer',
    description: 'Transfer requests, per-link statistics and limits, activity and community shares',
    load: async () => (await import('./commands/transfer.js')).transferCommand(),
  },
  {
    name: 'workflow',
    aliases: ['wf'],
    description: 'Workflows: DAGs of tasks placed on compute sites near their data',
    load: async () => (await import('./commands/workflow.js')).workflowCommand(),
  },
  {
    name: 'site',
    description:
      'Compute sites: catalogue compute services bound to executors (local, Slurm); storage services bound to endpoints',
    load: async () => (await import('./commands/site.js')).siteCommand(),
  },
  {
    name: 'cwl-runner',
    description:
      'Run a CWL v1.2 tool or workflow here and print its output object (the CWL runner protocol)',
    load: async () => (await import('./commands/cwl-runner.js')).cwlRunnerCommand(),
  },
  {
    name: 'plan',
    description:
      'What-if planning: simulate a scenario (ingest, rules, workflows, allocations, links, outages) on the Run face’s own decision code',
    load: async () => (await import('./commands/plan.js')).planCommand(),
  },
  {
    name: 'usage',
    description:
      'Resources used by workflow tasks: core-hours, CPU-hours and energy by community, site or period',
    load: async () => (await import('./commands/usage.js')).usageCommand(),
  },
  {
    name: 'login',
    description:
      'Log in with the device flow (RFC 8628) and keep the token under CONTINUUM_HOME (mode 0600)',
    load: async () => (await auth()).loginCommand(),
  },
  {
    name: 'token',
    description:
      'Print the stored access token, for scripts (curl -H "Authorization: Bearer $(continuum token)")',
    load: async () => (await auth()).tokenCommand(),
  },
  {
    name: 'whoami',
    description: 'Show the identity the server sees for the current token',
    load: async () => (await auth()).whoamiCommand(),
  },
  {
    name: 'logout',
    description: 'Forget the stored token',
    load: async () => (await auth()).logoutCommand(),
  },
  {
    name: 'policy',
    description: 'Cedar policies: who may do what on which resource',
    load: async () => (await import('./commands/policy.js')).policyCommand(),
  },
  {
    name: 'audit',
    description: 'The audit log of every authorisation decision',
    load: async () => (await import('./commands/audit.js')).auditCommand(),
  },
]

/** Global options that take a value: the word after them is not the command's name. */
const valueOptions = new Set(['--server', '--token', '--db', '--config', '--home', '--log-level'])

/** The names of the top-level commands `argv` (process.argv form) asks for: none for `--help`. */
export function requestedCommands(argv: readonly string[]): string[] {
  const words = argv.slice(2)
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? ''
    if (valueOptions.has(word)) i++
    else if (word === '--') return words.slice(i + 1, i + 2)
    else if (!word.startsWith('-')) {
      // `continuum help catalog` shows catalog's own help
      return word === 'help' ? words.slice(i + 1, i + 2) : [word]
    }
  }
  return []
}

function placeholder(entry: CommandEntry): Command {
  const command = new Command(entry.name).description(entry.description)
  for (const alias of entry.aliases ?? []) command.alias(alias)
  return command
}

/**
 * The program with the commands named in `argv` loaded and the others as placeholders that only
 * name and describe themselves; without `argv`, every command loaded (tests, docs).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('continuum')
    .description("Europe's research e-Infrastructures as one compute and data continuum")
    .version(version, '-V, --version')
    .option('--server <url>', 'API server (env CONTINUUM_SERVER, default http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token (env CONTINUUM_TOKEN)')
    .option(
      '--db <url>',
      'database for server commands: postgres://…, pglite:<dir> or memory: (env CONTINUUM_DB)',
    )
    .option('--config <file>', 'config file (env CONTINUUM_CONFIG, default <home>/config.yaml)')
    .option('--home <dir>', 'folder for embedded state (env CONTINUUM_HOME, default ./.continuum)')
    .addOption(
      new Option('--log-level <level>', 'log level (env CONTINUUM_LOG_LEVEL)').choices(logLevels),
    )
    .option('--json', 'machine-readable JSON output')
    .showHelpAfterError('(add --help for usage)')
  const wanted = argv && requestedCommands(argv)
  for (const entry of commandEntries) {
    const load =
      !wanted || wanted.some((w) => w === entry.name || (entry.aliases ?? []).includes(w))
    program.addCommand(load ? await entry.load() : placeholder(entry))
  }
  return withExamples(
    program,
    'continuum catalog infra ls --json',
    'continuum serve --db postgres://127.0.0.1/continuum',
  )
}
