/**
 * Plan → run for users: where the broker would place each task of a use case's workflow and
 * why, next to what the landscape's match says of the chosen services. The workflow is the one
 * given, else the shipped example that names the use case (`useCase:` in examples/*.yaml), else
 * a one-task probe built from the use case's requirement profile (memory per core, walltime,
 * its first CVMFS repository). Placement is the engine's: the same candidates (bound, non-
 * draining sites), the same policy gate, allocations, environments and data locality, and the
 * same load each placement adds — wave by wave, since a task waits for the ones it needs.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { findRecord } from '../catalog/index.js'
import type { UseCasePlan, UseCasePlanRequest } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { matchUseCaseByName } from '../landscape/index.js'
import { ContinuumError } from '../platform/index.js'
import type { PolicyEngine } from '../policy/index.js'
import { policyExplainer, policyGate } from './access-gate.js'
import { placeTask, type BrokerOptions, type ComputeCandidate } from './broker.js'
import { localityFrom } from './data-locality.js'
import { datasetLister } from './dataset-files.js'
import { parseDefinition } from './definition.js'
import { expandWorkflow, maxTasks, type PlannedTask } from './expand.js'
import { FederationStaging } from './federation-staging.js'
import { matchSites } from './site-expression.js'
import { listComputeSites } from './sites.js'
import { isDataIdentifier } from './staging.js'

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url))

export async function planUseCase(
  ctx: Context,
  name: string,
  request: UseCasePlanRequest,
  options: { policy?: PolicyEngine; examples?: string } = {},
): Promise<UseCasePlan> {
  const useCase = await findRecord(ctx, 'useCase', name)
  if (!useCase) {
    throw new ContinuumError('USE_CASE_NOT_FOUND', `use case '${name}' not found`, {
      useCase: name,
    })
  }
  const match = await matchUseCaseByName(ctx, useCase.name)
  const chosen = request.source
    ? { from: 'given' as const, file: request.filename ?? null, source: request.source }
    : (shippedExample(useCase.name, options.examples ?? examplesDir) ?? {
        from: 'probe' as const,
        file: null,
        source: probeWorkflow(useCase),
      })
  const { document, source } = parseDefinition(chosen.source, chosen.file ?? 'workflow.yaml')
  const community = document.community ?? (useCase.community as string | null) ?? null
  const listDataset = await datasetLister(ctx, document, maxTasks)
  const plan = expandWorkflow(document, source, listDataset ? { listDataset } : {})
  const sites = await listComputeSites(ctx)
  const broker: BrokerOptions = options.policy
    ? { mayUse: policyGate(options.policy), explainUse: policyExplainer(options.policy) }
    : {}
  const dids = plan.tasks.flatMap((t) => t.inputs.filter(isDataIdentifier))
  if (dids.length > 0) {
    const staging = new FederationStaging(ctx)
    broker.locality = localityFrom(await staging.locate(ctx, dids))
  }
  const evaluations = new Map(
    match.evaluations.filter((e) => e.kind === 'compute').map((e) => [e.name, e]),
  )
  const tasks: UseCasePlan['tasks'] = []
  for (const [wave, group] of waves(plan.tasks).entries()) {
    // Each wave starts from the sites' load now; its own placements add to it, as in dispatch.
    const load = sites.map((s) => ({ ...s }))
    for (const t of group) {
      const placement = placeTask(
        {
          name: t.name,
          community,
          owner: ctx.actor.principal,
          environment: t.environment,
          cores: t.resources.cores,
          memoryMb: t.resources.memoryMb,
          walltimeS: t.resources.walltimeS,
          accelerators: t.resources.accelerators,
          image: t.image,
          inputs: t.inputs,
          pinned: t.site === null ? null : matchSites(t.site, load),
          excluded: t.exclude === null ? null : matchSites(t.exclude, load),
        },
        load,
        broker,
      )
      const site = load.find((s) => s.name === placement.site)
      if (site) site.queued++
      const evaluation = site?.service ? evaluations.get(site.service) : undefined
      tasks.push({
        task: t.name,
        wave,
        site: placement.site,
        service: site?.service ?? null,
        summary: placement.summary,
        placement: placement.decisions,
        match: evaluation
          ? { verdict: evaluation.verdict, score: evaluation.score, reasons: evaluation.reasons }
          : null,
      })
    }
  }
  const bound = new Map(
    sites.filter((s) => s.service).map((s) => [s.service as string, s] as const),
  )
  return {
    useCase: useCase.name,
    community,
    verdict: match.verdict,
    workflow: { name: plan.name, from: chosen.from, file: chosen.file },
    tasks,
    services: [...evaluations.values()]
      .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1))
      .map((e) => {
        const site: ComputeCandidate | undefined = bound.get(e.name)
        return {
          name: e.name,
          infrastructure: e.infrastructure,
          verdict: e.verdict,
          score: e.score,
          site: site?.name ?? null,
          state: site ? (site.draining ? 'draining' : 'active') : null,
        }
      }),
  }
}

/** Tasks grouped by how many dependency levels lie before them (the order the engine frees them). */
function waves(tasks: readonly PlannedTask[]): PlannedTask[][] {
  const level = new Map<string, number>()
  const byName = new Map(tasks.map((t) => [t.name, t]))
  const depth = (t: PlannedTask): number => {
    const known = level.get(t.name)
    if (known !== undefined) return known
    let d = 0
    for (const n of t.needs) {
      const dep = byName.get(n)
      if (dep) d = Math.max(d, depth(dep) + 1)
    }
    level.set(t.name, d)
    return d
  }
  const out: PlannedTask[][] = []
  for (const t of tasks) (out[depth(t)] ??= []).push(t)
  return out.filter((w) => w !== undefined)
}

/** The shipped example workflow that names this use case, if any. */
function shippedExample(
  useCase: string,
  dir: string,
): { from: 'example'; file: string; source: string } | undefined {
  let files: string[]
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
  } catch {
    return undefined
  }
  for (const f of files) {
    const source = readFileSync(path.join(dir, f), 'utf8')
    // A cheap look first: only files that name a use case are parsed.
    if (!/^useCase:/m.test(source)) continue
    try {
      if (parseDefinition(source, f).document.useCase === useCase) {
        return { from: 'example', file: `examples/${f}`, source }
      }
    } catch {
      // Not a valid workflow: not an example of anything.
    }
  }
  return undefined
}

/** A one-task workflow asking for what the use case's profile states about one core's job. */
function probeWorkflow(useCase: { name: string; community?: unknown; profile?: unknown }): string {
  const profile = (useCase.profile ?? {}) as {
    compute?: { memoryPerCoreGB?: number | null; walltimeHours?: number | null }
    software?: { cvmfsRepositories?: string[] }
  }
  const memoryMb = Math.max(1, Math.round((profile.compute?.memoryPerCoreGB ?? 1) * 1024))
  const walltimeM = Math.max(1, Math.round((profile.compute?.walltimeHours ?? 1) * 60))
  const repo = profile.software?.cvmfsRepositories?.[0]
  const lines = [
    `name: probe-${useCase.name}`.slice(0, 63),
    ...(typeof useCase.community === 'string' ? [`community: ${useCase.community}`] : []),
    `useCase: ${useCase.name}`,
    'tasks:',
    '  - name: probe',
    "    command: ['true']",
    `    resources: { cores: 1, memory: ${memoryMb}MB, walltime: ${walltimeM}m }`,
    ...(repo ? [`    environment: { name: ${JSON.stringify(repo)} }`] : []),
  ]
  return `${lines.join('\n')}\n`
}
