/**
 * Workflows: submit a workflow file (or the shipped example), follow its task graph live
 * (tasks coloured by state), read a task's placement reasons, history and logs; cancel, retry.
 */
import { useRef, useState, type ChangeEvent } from 'react'
import helloExample from '../../../examples/hello.yaml?raw'
import type { ContinuumClient, Task, Workflow } from '../api.js'
import { Dag } from '../components/dag.js'
import { Empty, Loaded, Panel, Problem, StateBadge } from '../components/ui.js'
import { errorText, formatDuration, formatTime } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

const finished = new Set(['succeeded', 'failed', 'cancelled'])

export function WorkflowsView() {
  const { client } = useSession()
  const [selected, setSelected] = useState<string>()
  const workflows = usePoll(() => client.workflows.list({ limit: 50 }), 2_000)
  const current = selected ?? workflows.data?.items[0]?.id
  return (
    <>
      <h1 className="page-title">Workflows</h1>
      <div className="grid sidebar">
        <div className="stack">
          <Submit
            onSubmitted={(w) => {
              setSelected(w.id)
              workflows.refresh()
            }}
          />
          <Panel title="Recent workflows">
            <Loaded data={workflows.data} error={workflows.error}>
              {(page) =>
                page.items.length === 0 ? (
                  <Empty>No workflows yet: run the example above.</Empty>
                ) : (
                  <ul className="wf-list" data-testid="workflow-list">
                    {page.items.map((w) => (
                      <li key={w.id}>
                        <button
                          type="button"
                          className={w.id === current ? 'wf active' : 'wf'}
                          aria-current={w.id === current ? 'true' : undefined}
                          onClick={() => setSelected(w.id)}
                        >
                          <span className="wf-name">{w.name}</span>
                          <StateBadge state={w.state} />
                          <span className="muted small">
                            {w.taskCount} tasks · {formatTime(w.createdAt)}
                          </span>
                        </button>
                      </li>
                    ))}
                  </ul>
                )
              }
            </Loaded>
          </Panel>
        </div>
        {current ? (
          <WorkflowDetail key={current} id={current} />
        ) : (
          <Panel title="Task graph">
            <Empty>Submit a workflow to see its tasks run.</Empty>
          </Panel>
        )}
      </div>
    </>
  )
}

function Submit({ onSubmitted }: { onSubmitted: (w: Workflow) => void }) {
  const { client } = useSession()
  const [source, setSource] = useState('')
  const [filename, setFilename] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const submit = async (text: string, name: string | undefined) => {
    setBusy(true)
    setError(undefined)
    try {
      onSubmitted(
        await client.workflows.submit({
          source: text,
          ...(name === undefined ? {} : { filename: name }),
        }),
      )
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    if (!file) return
    setFilename(file.name)
    setSource(await file.text())
  }
  return (
    <Panel title="Run a workflow">
      <button
        type="button"
        className="button primary wide"
        disabled={busy}
        onClick={() => void submit(helloExample, 'examples/hello.yaml')}
      >
        Run the example (hello: scatter and gather)
      </button>
      <div className="field">
        <label htmlFor="wf-file">Workflow file (YAML)</label>
        <input
          id="wf-file"
          type="file"
          accept=".yaml,.yml,.json"
          onChange={(e) => void onFile(e)}
        />
      </div>
      <div className="field">
        <label htmlFor="wf-source">…or edit it here</label>
        <textarea
          id="wf-source"
          rows={6}
          spellCheck={false}
          className="code"
          value={source}
          placeholder={'name: my-workflow\ntasks:\n  - name: hello\n    command: [echo, hello]'}
          onChange={(e) => setSource(e.target.value)}
        />
      </div>
      <button
        type="button"
        className="button"
        disabled={busy || source.trim() === ''}
        onClick={() => void submit(source, filename)}
      >
        Submit workflow
      </button>
      {error !== undefined && <SubmitError error={error} />}
    </Panel>
  )
}

/** Validation errors come back with line and column: show each one. */
function SubmitError({ error }: { error: unknown }) {
  const details = (error as { details?: { errors?: { message?: string; line?: number }[] } })
    .details
  return (
    <div role="alert" className="error">
      {errorText(error)}
      {details?.errors && (
        <ul>
          {details.errors.slice(0, 10).map((e, i) => (
            <li key={i}>
              {e.line !== undefined ? `line ${e.line}: ` : ''}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** Dependencies never change after submission: fetch each task's once. */
async function loadNeeds(
  client: ContinuumClient,
  id: string,
  tasks: Task[],
  known: Map<string, string[]>,
): Promise<void> {
  const missing = tasks.filter((t) => !known.has(t.name)).slice(0, 300)
  const answers = await Promise.all(missing.map((t) => client.workflows.explain(id, t.name)))
  for (const a of answers) known.set(a.task.name, a.needs)
}

function WorkflowDetail({ id }: { id: string }) {
  const { client } = useSession()
  const needs = useRef(new Map<string, string[]>())
  const [task, setTask] = useState<string>()
  const [actionError, setActionError] = useState<unknown>()
  const detail = usePoll(async () => {
    const [workflow, tasks] = await Promise.all([
      client.workflows.get(id),
      client.workflows.tasks(id, { limit: 500 }),
    ])
    await loadNeeds(client, id, tasks.items, needs.current)
    return { workflow, tasks: tasks.items }
  }, 1_500)
  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined)
    try {
      await action()
      detail.refresh()
    } catch (err) {
      setActionError(err)
    }
  }
  return (
    <Loaded data={detail.data} error={detail.error}>
      {({ workflow, tasks }) => {
        const edges = tasks.flatMap((t) =>
          (needs.current.get(t.name) ?? []).map((n) => [n, t.name] as [string, string]),
        )
        const running = !finished.has(workflow.state)
        return (
          <div className="stack">
            <Panel
              title={`Workflow ${workflow.name}`}
              testId="workflow-detail"
              actions={
                <div className="row">
                  <span data-testid="workflow-state">
                    <StateBadge state={workflow.state} />
                  </span>
                  <button
                    type="button"
                    className="button small"
                    disabled={!running}
                    onClick={() => void act(() => client.workflows.cancel(id))}
                  >
                    Cancel
                  </button>
                  <button
                    type="button"
                    className="button small"
                    disabled={workflow.state !== 'failed' && workflow.state !== 'cancelled'}
                    onClick={() => void act(() => client.workflows.retry(id))}
                  >
                    Retry failed
                  </button>
                </div>
              }
            >
              <p className="muted small">
                {Object.entries(workflow.counts)
                  .map(([state, n]) => `${n} ${state}`)
                  .join(' · ')}{' '}
                · started {formatTime(workflow.createdAt)} ·{' '}
                {formatDuration(workflow.createdAt, workflow.finishedAt)}
                {running ? ' so far' : ''}
              </p>
              {actionError !== undefined && <Problem error={actionError} />}
              <Dag
                label={`Task graph of ${workflow.name}`}
                nodes={tasks.map((t) => ({
                  id: t.name,
                  label: t.name,
                  state: t.state,
                  ...(t.site ? { detail: t.site } : {}),
                }))}
                edges={edges}
                selected={task}
                onSelect={setTask}
              />
              <p className="legend">
                {['waiting', 'ready', 'running', 'done', 'failed', 'cancelled'].map((s) => (
                  <StateBadge key={s} state={s} />
                ))}
              </p>
            </Panel>
            {task ? (
              <TaskDetail key={task} workflowId={id} task={task} live={running} />
            ) : (
              <Panel title="Task">
                <Empty>Pick a task in the graph for its placement, history and logs.</Empty>
              </Panel>
            )}
          </div>
        )
      }}
    </Loaded>
  )
}

function TaskDetail(props: { workflowId: string; task: string; live: boolean }) {
  const { client } = useSession()
  const info = usePoll(
    async () => {
      const [explanation, logs] = await Promise.all([
        client.workflows.explain(props.workflowId, props.task),
        client.workflows.logs(props.workflowId, props.task).catch(() => undefined),
      ])
      return { explanation, logs }
    },
    props.live ? 2_000 : 0,
    String(props.live),
  )
  return (
    <Panel title={`Task ${props.task}`} testId="task-detail">
      <Loaded data={info.data} error={info.error}>
        {({ explanation: x, logs }) => (
          <div className="grid two tight">
            <div>
              <p>
                <StateBadge state={x.task.state} /> attempt {x.task.attempt}/{x.task.maxRetries + 1}
                {x.task.site && (
                  <>
                    {' '}
                    on <strong>{x.task.site}</strong>
                  </>
                )}
                {x.task.exitCode !== null && <> · exit {x.task.exitCode}</>}
                {x.task.cached && <> · from cache</>}
              </p>
              {x.task.reason && <p className="small">{x.task.reason}</p>}
              <h3>Command</h3>
              <pre className="code">{x.command.join(' ')}</pre>
              <h3>Placement</h3>
              {x.placement.length === 0 ? (
                <p className="muted small">Not placed yet.</p>
              ) : (
                <ul className="reason-list" data-testid="placement">
                  {x.placement.map((p) => (
                    <li key={p.site} className={p.eligible ? 'tone-border-fit' : 'tone-border-no'}>
                      <strong>{p.site}</strong>{' '}
                      {p.eligible ? `eligible, score ${p.score ?? '—'}` : 'not eligible'}
                      <div className="small">{p.reasons.join('; ')}</div>
                    </li>
                  ))}
                </ul>
              )}
              <h3>History</h3>
              <ol className="history small">
                {x.history.map((h, i) => (
                  <li key={i}>
                    {formatTime(h.at)} {h.from ?? '—'} → <strong>{h.to}</strong>
                    {h.reason ? ` (${h.reason})` : ''}
                  </li>
                ))}
              </ol>
            </div>
            <div>
              <h3>Output (attempt {logs?.attempt ?? '—'})</h3>
              <pre className="log" data-testid="task-stdout">
                {logs?.stdout || '(no output yet)'}
              </pre>
              {logs?.stderr && (
                <>
                  <h3>Errors</h3>
                  <pre className="log err">{logs.stderr}</pre>
                </>
              )}
            </div>
          </div>
        )}
      </Loaded>
    </Panel>
  )
}
