/**
 * Turns a checked workflow document into the task graph the engine stores: parameters and
 * scatter items substituted, scatters expanded into one task per item (`name[i]`), explicit
 * (`needs`) and data-implied (an input that another task outputs) dependencies resolved, and
 * dangling references and cycles rejected. Linear in tasks + edges.
 */
import type { TaskDocument, WorkflowDocument } from '../contract/index.js'
import {
  definitionFailure,
  type DefinitionError,
  type PathSegment,
  type SourceMap,
} from './definition.js'
import { parseDurationS, parseMemoryMb } from './quantities.js'

export interface TaskResources {
  cores: number
  memoryMb: number
  walltimeS: number
  accelerators: { model: string | null; count: number } | null
}

export interface PlannedTask {
  name: string
  /** The document task it came from (differs from `name` for scatter instances). */
  group: string
  index: number | null
  argv: string[]
  env: Record<string, string>
  image: string | null
  environment: string | null
  resources: TaskResources
  inputs: string[]
  outputs: string[]
  needs: string[]
  retries: number
  backoffS: number
  site: string | null
  exclude: string | null
  cache: boolean
}

export interface WorkflowPlan {
  name: string
  community: string | null
  outputScope: string | null
  outputRule: string | null
  tasks: PlannedTask[]
}

/** Where a dataset's files come from when a task scatters over one (the data federation). */
export type DatasetLister = (did: string) => string[] | undefined

export interface ExpandOptions {
  parameters?: Record<string, string>
  listDataset?: DatasetLister
}

type Param = string | number | boolean | Array<string | number | boolean>

const defaultResources = { cores: 1, memoryMb: 1024, walltimeS: 3600 }
export const maxTasks = 100_000

export function expandWorkflow(
  doc: WorkflowDocument,
  source: SourceMap,
  options: ExpandOptions = {},
): WorkflowPlan {
  const errors: DefinitionError[] = []
  const params = resolveParameters(doc, options.parameters ?? {}, source, errors)
  const groups = new Map<string, string[]>()
  const tasks: PlannedTask[] = []
  const positions = new Map<string, number>()
  const origin: number[] = []

  doc.tasks.forEach((t, i) => {
    const at: PathSegment[] = ['tasks', i]
    if (groups.has(t.name)) {
      errors.push(source.error([...at, 'name'], `task name '${t.name}' is used twice`))
    }
    if ((t.command === undefined) === (t.script === undefined)) {
      errors.push(source.error(at, "give exactly one of 'command' (argv) or 'script'"))
      groups.set(t.name, [])
      return
    }
    const items = scatterItems(t, params, options.listDataset, source, [...at, 'scatter'], errors)
    const names: string[] = []
    for (let k = 0; k < items.length; k++) {
      const item = items[k]
      const name = item === undefined ? t.name : `${t.name}[${k}]`
      const vars = { params, item: item ?? null, index: item === undefined ? null : k }
      const sub = (text: string, path: PathSegment[]) =>
        substitute(text, vars, source, path, errors)
      const task = planTask(doc, t, name, item === undefined ? null : k, sub, at, source, errors)
      positions.set(name, i)
      origin.push(i)
      tasks.push(task)
      names.push(name)
      if (tasks.length > maxTasks) {
        errors.push(source.error(at, `the workflow expands to more than ${maxTasks} tasks`))
        throw definitionFailure(source.file, errors)
      }
    }
    groups.set(t.name, names)
  })

  resolveDependencies(doc, tasks, groups, origin, source, errors)
  if (errors.length === 0) checkAcyclic(tasks, positions, source, errors)
  if (errors.length > 0) throw definitionFailure(source.file, errors)
  return {
    name: doc.name,
    community: doc.community ?? null,
    outputScope: doc.outputs?.scope ?? null,
    outputRule: doc.outputs?.rule ?? null,
    tasks,
  }
}

function resolveParameters(
  doc: WorkflowDocument,
  overrides: Record<string, string>,
  source: SourceMap,
  errors: DefinitionError[],
): Record<string, Param> {
  const params: Record<string, Param> = { ...(doc.parameters ?? {}) }
  for (const [key, text] of Object.entries(overrides)) {
    const declared = params[key]
    if (declared === undefined) {
      errors.push(
        source.error(['parameters'], `parameter '${key}' given on submission is not declared`),
      )
      continue
    }
    if (Array.isArray(declared)) params[key] = text === '' ? [] : text.split(',')
    else if (typeof declared === 'number') {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) {
        errors.push(
          source.error(['parameters', key], `parameter '${key}' must be a number (got '${text}')`),
        )
      } else params[key] = n
    } else if (typeof declared === 'boolean') params[key] = text === 'true'
    else params[key] = text
  }
  return params
}

function scatterItems(
  t: TaskDocument,
  params: Record<string, Param>,
  listDataset: DatasetLister | undefined,
  source: SourceMap,
  at: PathSegment[],
  errors: DefinitionError[],
): Array<string | undefined> {
  const s = t.scatter
  if (!s) return [undefined]
  let items: Array<string | number | boolean> = []
  if (s.items) items = s.items
  else if (s.range !== undefined) items = Array.from({ length: s.range }, (_, k) => k)
  else if (s.param !== undefined) {
    const p = params[s.param]
    if (!Array.isArray(p)) {
      errors.push(
        source.error(
          [...at, 'param'],
          p === undefined
            ? `parameter '${s.param}' is not declared`
            : `parameter '${s.param}' is not a list`,
        ),
      )
      return []
    }
    items = p
  } else if (s.dataset !== undefined) {
    const files = listDataset?.(s.dataset)
    if (!files) {
      errors.push(
        source.error(
          [...at, 'dataset'],
          `dataset '${s.dataset}' is unknown to the data federation`,
        ),
      )
      return []
    }
    items = files
  }
  if (items.length === 0) errors.push(source.error(at, 'scatter over an empty list'))
  return items.map(String)
}

function planTask(
  doc: WorkflowDocument,
  t: TaskDocument,
  name: string,
  index: number | null,
  sub: (text: string, path: PathSegment[]) => string,
  at: PathSegment[],
  source: SourceMap,
  errors: DefinitionError[],
): PlannedTask {
  const argv = t.command
    ? t.command.map((a, k) => sub(String(a), [...at, 'command', k]))
    : ['/bin/sh', '-ec', sub(t.script ?? '', [...at, 'script'])]
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(t.env ?? {})) env[k] = sub(v, [...at, 'env', k])
  const r = { ...(doc.defaults?.resources ?? {}), ...(t.resources ?? {}) }
  const memoryMb = r.memory === undefined ? defaultResources.memoryMb : parseMemoryMb(r.memory)
  if (memoryMb === undefined) {
    errors.push(
      source.error(
        [...at, 'resources', 'memory'],
        `'${String(r.memory)}' is not a memory size (e.g. 512MB, 2GiB)`,
      ),
    )
  }
  const walltimeS =
    r.walltime === undefined ? defaultResources.walltimeS : parseDurationS(r.walltime)
  if (walltimeS === undefined) {
    errors.push(
      source.error(
        [...at, 'resources', 'walltime'],
        `'${String(r.walltime)}' is not a duration (e.g. 30m, 2h, 01:00:00)`,
      ),
    )
  }
  const backoffText = t.backoff ?? doc.defaults?.backoff ?? 10
  const backoffS = parseDurationS(backoffText)
  if (backoffS === undefined) {
    errors.push(source.error([...at, 'backoff'], `'${String(backoffText)}' is not a duration`))
  }
  return {
    name,
    group: t.name,
    index,
    argv,
    env,
    image: t.environment?.image ?? null,
    environment: t.environment?.name ?? null,
    resources: {
      cores: r.cores ?? defaultResources.cores,
      memoryMb: memoryMb ?? 0,
      walltimeS: walltimeS ?? 0,
      accelerators: r.accelerators
        ? { model: r.accelerators.model ?? null, count: r.accelerators.count }
        : null,
    },
    inputs: (t.inputs ?? []).map((x, k) => sub(x, [...at, 'inputs', k])),
    outputs: (t.outputs ?? []).map((x, k) => sub(x, [...at, 'outputs', k])),
    needs: [],
    retries: t.retries ?? doc.defaults?.retries ?? 0,
    backoffS: backoffS ?? 0,
    site: t.site ?? doc.defaults?.site ?? null,
    exclude: t.exclude ?? doc.defaults?.exclude ?? null,
    cache: t.cache ?? true,
  }
}

const placeholder = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g

function substitute(
  text: string,
  vars: { params: Record<string, Param>; item: string | null; index: number | null },
  source: SourceMap,
  path: PathSegment[],
  errors: DefinitionError[],
): string {
  return text.replace(placeholder, (whole, ref: string) => {
    if (ref === 'item' || ref === 'index') {
      const value = vars[ref]
      if (value === null) {
        errors.push(source.error(path, `'${whole}' is only defined in a task with scatter`))
        return whole
      }
      return String(value)
    }
    const m = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref)
    const value = m ? vars.params[m[1] ?? ''] : undefined
    if (value === undefined) {
      errors.push(
        source.error(
          path,
          m
            ? `parameter '${m[1]}' is not declared`
            : `unknown reference '${whole}' (use params.NAME, item or index)`,
        ),
      )
      return whole
    }
    return Array.isArray(value) ? value.join(' ') : String(value)
  })
}

function resolveDependencies(
  doc: WorkflowDocument,
  tasks: PlannedTask[],
  groups: Map<string, string[]>,
  origin: number[],
  source: SourceMap,
  errors: DefinitionError[],
): void {
  const producers = new Map<string, string>()
  tasks.forEach((task, n) => {
    for (const out of task.outputs) {
      const other = producers.get(out)
      if (other !== undefined && other !== task.name) {
        errors.push(
          source.error(
            ['tasks', origin[n] ?? 0, 'outputs'],
            `output '${out}' is also written by task '${other}'`,
          ),
        )
      }
      producers.set(out, task.name)
    }
  })
  tasks.forEach((task, n) => {
    const i = origin[n] ?? 0
    const needs = new Set<string>()
    const declared = doc.tasks[i]?.needs ?? []
    declared.forEach((dep, k) => {
      const members = groups.get(dep)
      if (members === undefined) {
        errors.push(source.error(['tasks', i, 'needs', k], `task '${dep}' does not exist`))
      } else if (dep === task.group) {
        errors.push(source.error(['tasks', i, 'needs', k], `task '${dep}' cannot need itself`))
      } else for (const m of members) needs.add(m)
    })
    for (const input of task.inputs) {
      const producer = producers.get(input)
      if (producer !== undefined && producer !== task.name) needs.add(producer)
    }
    task.needs = [...needs]
  })
}

/** Kahn's algorithm; the tasks left over sit on a cycle, which is reported with its path. */
function checkAcyclic(
  tasks: PlannedTask[],
  positions: Map<string, number>,
  source: SourceMap,
  errors: DefinitionError[],
): void {
  const indegree = new Map<string, number>()
  const dependants = new Map<string, string[]>()
  for (const t of tasks) {
    indegree.set(t.name, t.needs.length)
    for (const d of t.needs) {
      let list = dependants.get(d)
      if (!list) dependants.set(d, (list = []))
      list.push(t.name)
    }
  }
  const queue = tasks.filter((t) => t.needs.length === 0).map((t) => t.name)
  let seen = 0
  while (queue.length > 0) {
    const name = queue.pop() as string
    seen++
    for (const next of dependants.get(name) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1
      indegree.set(next, left)
      if (left === 0) queue.push(next)
    }
  }
  if (seen === tasks.length) return
  const byName = new Map(tasks.map((t) => [t.name, t]))
  const start = tasks.find((t) => (indegree.get(t.name) ?? 0) > 0)
  if (!start) return
  // Walk needs among the leftover tasks until a task repeats: that loop is the cycle.
  const order: string[] = []
  const at = new Map<string, number>()
  let current: string | undefined = start.name
  while (current !== undefined && !at.has(current)) {
    at.set(current, order.length)
    order.push(current)
    current = byName.get(current)?.needs.find((d) => (indegree.get(d) ?? 0) > 0)
  }
  const cycle = current === undefined ? order : [...order.slice(at.get(current)), current]
  const first = cycle[0] ?? start.name
  errors.push(
    source.error(
      ['tasks', positions.get(first) ?? 0, 'needs'],
      `dependency cycle: ${cycle.reverse().join(' -> ')}`,
    ),
  )
}
