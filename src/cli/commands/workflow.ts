/** `continuum workflow …`: run, follow, inspect, cancel and retry workflows. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Command, Option } from 'commander'
import cliProgress from 'cli-progress'
import { ContinuumClient } from '../../client/index.js'
import type { Task, Workflow } from '../../contract/index.js'
import { taskStates, workflowStates } from '../../contract/closed-sets.js'
import { ContinuumError } from '../../platform/browser.js'
import { fetchFiles, fetchOutputs, filesToSend } from '../workflow-files.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, formatTable, printResult, type Output } from '../output.js'
import { parseLimit, ReportedError } from './common.js'
import { isCwlFile, runCwl, type RunOptions } from './workflow-cwl.js'

const workflowColumns = [
  { header: 'id', value: (w: Workflow) => w.id },
  { header: 'name', value: (w: Workflow) => w.name },
  { header: 'state', value: (w: Workflow) => w.state },
  { header: 'tasks', value: (w: Workflow) => w.taskCount },
  { header: 'done', value: (w: Workflow) => w.counts.done ?? 0 },
  { header: 'failed', value: (w: Workflow) => w.counts.failed ?? 0 },
  { header: 'created', value: (w: Workflow) => w.createdAt },
]

const taskColumns = [
  { header: 'task', value: (t: Task) => t.name },
  { header: 'state', value: (t: Task) => t.state },
  { header: 'attempt', value: (t: Task) => t.attempt },
  { header: 'site', value: (t: Task) => t.site },
  { header: 'job', value: (t: Task) => t.externalId },
  { header: 'exit', value: (t: Task) => t.exitCode },
  { header: 'reason', value: (t: Task) => t.reason },
]

const finished = new Set(['succeeded', 'failed', 'cancelled'])

function summary(w: Workflow): string {
  const counts = Object.entries(w.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ')
  return `workflow ${w.id} (${w.name}) ${w.state}: ${w.taskCount} tasks${counts ? ` — ${counts}` : ''}`
}

/** Follows a workflow until it ends: a bar of finished tasks and the counts by state. */
async function watch(
  out: Output,
  client: ContinuumClient,
  id: string,
  intervalMs = 1000,
): Promise<Workflow> {
  const bar =
    out.json || !process.stderr.isTTY
      ? undefined
      : new cliProgress.SingleBar(
          { format: '{bar} {value}/{total} tasks | {states}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
  let w = await client.workflows.get(id)
  bar?.start(w.taskCount, 0, { states: '' })
  let last = ''
  for (;;) {
    const ended = (w.counts.done ?? 0) + (w.counts.failed ?? 0) + (w.counts.cancelled ?? 0)
    const states = Object.entries(w.counts)
      .map(([s, n]) => `${s} ${n}`)
      .join(' ')
    if (bar) bar.update(ended, { states })
    else if (!out.json && states !== last) out.error(`${w.state}: ${states}`)
    last = states
    if (finished.has(w.state)) break
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    w = await client.workflows.get(id)
  }
  bar?.stop()
  return w
}

function exitFor(w: Workflow): void {
  if (w.state === 'failed' || w.state === 'cancelled') {
    throw new ReportedError(
      new ContinuumError('WORKFLOW_STATE_CONFLICT', `workflow ${w.id} ended ${w.state}`, {
        workflow: w.id,
        state: w.state,
      }),
    )
  }
}

const fileColumns = [
  { header: 'path', value: (f: { path: string; size: number }) => f.path },
  { header: 'bytes', value: (f: { path: string; size: number }) => f.size },
]

export function workflowCommand(): Command {
  const wf = new Command('workflow')
    .alias('wf')
    .description('Workflows: DAGs of tasks placed on compute sites near their data')

  wf.addCommand(
    withExamples(
      new Command('run')
        .description('Submit a workflow file; with --watch, follow it to the end')
        .argument('<file>', 'workflow YAML (schema: docs/workflow.schema.json), or a CWL document')
        .argument('[job]', "a CWL document's input object (YAML or JSON)")
        .option('-p, --param <key=value...>', 'override a parameter (repeatable)')
        .option(
          '--outdir <dir>',
          "where a CWL workflow's output files are written (with --watch)",
          '.',
        )
        .option('--watch', 'show live progress until the workflow ends; exit non-zero if it fails')
        .option(
          '--register-outputs <scope>',
          "register a CWL workflow's output files into this federation scope once it succeeds",
        )
        .option('--rule <expression>', 'with --register-outputs: a replication rule on each output')
        .option('--copies <n>', 'with --rule: how many copies the rule keeps', (v) => Number(v))
        .option('--no-cache', 'run every task even if an identical one completed before')
        .option('--dry-run', 'validate and expand only')
        .action(async (file: string, job: string | undefined, opts: RunOptions, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          if (isCwlFile(file)) {
            return runCwl(out, client(), file, job, opts, { watch, summary, exitFor })
          }
          if (job !== undefined || opts.registerOutputs !== undefined) {
            const what = job ?? '--register-outputs'
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              `${what}: goes with a CWL document (.cwl), not a workflow YAML (its outputs: say where outputs go)`,
              { job: what },
            )
          }
          let source: string
          try {
            source = readFileSync(file, 'utf8')
          } catch (err) {
            throw new ContinuumError(
              'INVALID_ARGUMENT',
              `cannot read ${file}: ${(err as Error).message}`,
              { file },
            )
          }
          const parameters: Record<string, string> = {}
          for (const p of opts.param ?? []) {
            const eq = p.indexOf('=')
            if (eq < 1) {
              throw new ContinuumError(
                'INVALID_ARGUMENT',
                `--param expects key=value, got '${p}'`,
                { param: p },
              )
            }
            parameters[p.slice(0, eq)] = p.slice(eq + 1)
          }
          const c = client()
          // The server makes the workflow's folder: what it reads from here travels with it.
          const folder = path.resolve(path.dirname(file))
          const w = await c.workflows.submit({
            source,
            filename: file,
            files: opts.dryRun ? [] : filesToSend(source, folder),
            parameters,
            noCache: !opts.cache,
            dryRun: opts.dryRun === true,
          })
          if (opts.dryRun) {
            return printResult(out, w, (x) => `workflow ${x.name} is valid: ${x.taskCount} tasks`)
          }
          if (!opts.watch) {
            return printResult(
              out,
              w,
              (x) =>
                `submitted ${summary(x)}\nfollow it with: continuum workflow status ${x.id} --watch`,
            )
          }
          if (!out.json) out.write(`submitted workflow ${w.id} (${w.name}), ${w.taskCount} tasks`)
          const end = await watch(out, c, w.id)
          const fetched = await fetchOutputs(c, w.id, source, folder)
          printResult(out, end, (x) =>
            fetched.length > 0
              ? `${summary(x)}\noutputs written to ${folder}: ${fetched.join(', ')}`
              : summary(x),
          )
          exitFor(end)
        }),
      'continuum workflow run examples/hello.yaml --watch',
      'continuum workflow run pipeline.yaml -p samples=a,b,c --no-cache',
      'continuum workflow run word-sizes.cwl job.yml --watch --outdir results',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('status')
        .description('Show a workflow and its tasks')
        .argument('<id>', 'workflow id')
        .option('--watch', 'follow until it ends')
        .addOption(new Option('--state <state>', 'only tasks in this state').choices(taskStates))
        .action(
          async (id: string, opts: { watch?: boolean; state?: Task['state'] }, cmd: Command) => {
            const { out, client } = cliContext(cmd)
            const c = client()
            const w = opts.watch ? await watch(out, c, id) : await c.workflows.get(id)
            const tasks: Task[] = []
            for await (const t of ContinuumClient.pages(
              (q: { state: Task['state'] | undefined; limit: number }) => c.workflows.tasks(id, q),
              { state: opts.state, limit: 500 },
            )) {
              tasks.push(t)
              if (tasks.length >= 200) break
            }
            printResult(
              out,
              { workflow: w, tasks },
              (x) =>
                `${summary(x.workflow)}\n\n${x.tasks.length ? formatTable(x.tasks, taskColumns) : 'no tasks match'}`,
            )
            if (opts.watch) exitFor(w)
          },
        ),
      'continuum workflow status 0190f5c2-… --state failed',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('ls')
        .description('List workflows, newest first')
        .addOption(new Option('--state <state>', 'only this state').choices(workflowStates))
        .option('--limit <n>', 'show at most n', parseLimit)
        .action(async (opts: { state?: Workflow['state']; limit?: number }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const page = await client().workflows.list({
            state: opts.state,
            limit: Math.min(opts.limit ?? 50, 500),
          })
          printResult(out, page.items, (rows) =>
            rows.length ? formatTable(rows, workflowColumns) : 'no workflows',
          )
        }),
      'continuum workflow ls --state running',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('logs')
        .description(
          "Show a task's stdout and stderr (latest attempt); without a task, every failed task's",
        )
        .argument('<id>', 'workflow id')
        .argument('[task]', 'task name, e.g. align[3]')
        .action(async (id: string, task: string | undefined, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const names = task
            ? [task]
            : (await c.workflows.tasks(id, { state: 'failed', limit: 20 })).items.map((t) => t.name)
          const logs = await Promise.all(names.map((n) => c.workflows.logs(id, n)))
          printResult(out, logs, (all) =>
            all.length
              ? all
                  .map(
                    (l) =>
                      `== ${l.task} (attempt ${l.attempt}) stdout ==\n${l.stdout}== stderr ==\n${l.stderr}`,
                  )
                  .join('\n')
              : 'no failed tasks; name a task to see its logs',
          )
        }),
      'continuum workflow logs 0190f5c2-… "align[3]"',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('fetch')
        .description(
          "Copy files of a workflow's folder here: the ones named, else all (as `ls` with --list)",
        )
        .argument('<id>', 'workflow id')
        .argument('[paths...]', "paths in the workflow's folder, e.g. results/total.txt")
        .option('--to <dir>', 'folder to write them into (default: the current one)', '.')
        .option('--list', 'only list the files, with their sizes')
        .action(
          async (
            id: string,
            paths: string[],
            opts: { to: string; list?: boolean },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const c = client()
            const listing = await c.workflows.files(id)
            if (opts.list) {
              return printResult(out, listing.files, (rows) =>
                rows.length ? formatTable(rows, fileColumns) : 'no files',
              )
            }
            const wanted = paths.length > 0 ? paths : listing.files.map((f) => f.path)
            const written = await fetchFiles(c, id, wanted, path.resolve(opts.to))
            printResult(
              out,
              { workflowId: id, folder: path.resolve(opts.to), files: written },
              (x) =>
                x.files.length
                  ? `wrote ${x.files.join(', ')} into ${x.folder}`
                  : 'no files to fetch',
            )
          },
        ),
      'continuum workflow fetch 0190f5c2-… total.txt --to results/',
      'continuum workflow fetch 0190f5c2-… --list',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('cancel')
        .description('Cancel a workflow: unfinished tasks are cancelled and running jobs killed')
        .argument('<id>', 'workflow id')
        .action(async (id: string, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().workflows.cancel(id), summary)
        }),
      'continuum workflow cancel 0190f5c2-…',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('retry')
        .description(
          'Run the failed (and cancelled) tasks of a workflow again; done tasks are kept',
        )
        .argument('<id>', 'workflow id')
        .argument('[tasks...]', 'only these tasks')
        .option('--watch', 'follow until it ends')
        .action(async (id: string, tasks: string[], opts: { watch?: boolean }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const c = client()
          const w = await c.workflows.retry(id, tasks.length ? { tasks } : {})
          if (!opts.watch) return printResult(out, w, summary)
          const end = await watch(out, c, id)
          printResult(out, end, summary)
          exitFor(end)
        }),
      'continuum workflow retry 0190f5c2-… --watch',
    ),
  )

  wf.addCommand(
    withExamples(
      new Command('explain')
        .description(
          'Why a task is where it is: placement reasons per site, dependencies and state history',
        )
        .argument('<id>', 'workflow id')
        .argument('<task>', 'task name')
        .action(async (id: string, task: string, _opts: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().workflows.explain(id, task), (x) =>
            [
              formatRecord({
                task: x.task.name,
                community: x.community,
                'use case': x.useCase,
                state: x.task.state,
                site: x.task.site,
                attempt: x.task.attempt,
                reason: x.task.reason,
                cached: x.task.cached,
                command: x.command.join(' '),
                needs: x.needs.join(', '),
              }),
              '',
              'placement:',
              x.placement.length
                ? formatTable(x.placement, [
                    { header: 'site', value: (p) => p.site },
                    { header: 'eligible', value: (p) => (p.eligible ? 'yes' : 'no') },
                    { header: 'score', value: (p) => p.score },
                    { header: 'reasons', value: (p) => p.reasons.join('; ') },
                  ])
                : '  (not placed yet)',
              '',
              'history:',
              formatTable(x.history, [
                { header: 'at', value: (h) => h.at },
                { header: 'from', value: (h) => h.from },
                { header: 'to', value: (h) => h.to },
                { header: 'reason', value: (h) => h.reason },
              ]),
            ].join('\n'),
          )
        }),
      'continuum workflow explain 0190f5c2-… "align[3]"',
    ),
  )
  return withExamples(wf, 'continuum workflow run examples/hello.yaml --watch')
}
