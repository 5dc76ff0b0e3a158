/**
 * What an allocation covers: the catalogue services its expression selects (the grammar of
 * endpoint expressions, over services), and the amounts it grants. A service is matched on its
 * name and on `type` (compute | storage), `infra` (also `infrastructure`), `kind` (the
 * infrastructure's HPC | HTC | Cloud | Data), `partof` (the parent infrastructure), `site`,
 * `country`, `tier`, `batch` (compute), `media` (storage) and its own and its site's free-form
 * attributes. An old allocation on one `service` means `name=<service>`.
 */
import type { Executor } from '../db/index.js'
import { ContinuumError, parseExpression, type ExpressionNode } from '../platform/index.js'
import { listInfrastructureFacts } from './infrastructures-store.js'

type WireRecord = Record<string, unknown> & { id: string; name: string }
type ListRecords = (
  db: Executor,
  kind: 'computeService' | 'storageService' | 'site',
) => Promise<WireRecord[]>

export type ServiceFacts = Record<string, string | number | boolean>

export interface CoveredService {
  name: string
  type: 'compute' | 'storage'
  attributes: ServiceFacts
}

/** One amount an allocation grants. */
export interface Grant {
  unit: string
  amount: number
}

/** The allocation's service expression: `services`, else `name=<service>`. */
export function allocationExpression(a: Record<string, unknown>): string {
  if (typeof a.services === 'string' && a.services.trim() !== '') return a.services
  return `name=${String(a.service)}`
}

/** Every amount the allocation grants: its main amount and unit, then the further grants. */
export function allocationGrants(a: WireRecord): Grant[] {
  const more = (a.grants as Grant[] | undefined) ?? []
  return [{ unit: String(a.unit), amount: Number(a.amount) }, ...more]
}

/** Whether the allocation's period holds `at` (dates are whole UTC days; open ends are open). */
export function allocationActive(a: WireRecord, at: Date): boolean {
  const { start, end } = allocationPeriod(a)
  return start <= at && (end === null || at <= end)
}

export function allocationPeriod(a: WireRecord): { start: Date; end: Date | null } {
  const periodStart = a.periodStart as string | null
  const periodEnd = a.periodEnd as string | null
  return {
    start: periodStart ? new Date(`${periodStart}T00:00:00Z`) : new Date(0),
    end: periodEnd ? new Date(`${periodEnd}T23:59:59.999Z`) : null,
  }
}

/** Parses an allocation's expression; a malformed one is the caller's VALIDATION_FAILED. */
export function parseServiceExpression(expression: string, field = 'services'): ExpressionNode {
  try {
    return parseExpression(expression)
  } catch (e) {
    const problem = e instanceof ContinuumError ? e.message : String(e)
    throw new ContinuumError('VALIDATION_FAILED', `${field}: ${problem}`, {
      field,
      expression,
    })
  }
}

/** Whether `node` selects a service with these facts (bare words: a name, or a true flag). */
export function matchesService(node: ExpressionNode, s: CoveredService): boolean {
  switch (node.kind) {
    case 'all':
      return true
    case 'name':
      return s.name === node.name || s.attributes[node.name] === true
    case 'equals':
      return node.key === 'name'
        ? s.name === node.value
        : s.attributes[node.key] !== undefined && String(s.attributes[node.key]) === node.value
    case 'less':
    case 'greater': {
      const v = Number(s.attributes[node.key])
      if (s.attributes[node.key] === undefined || !Number.isFinite(v)) return false
      return node.kind === 'less' ? v < node.value : v > node.value
    }
    case 'op': {
      const left = matchesService(node.left, s)
      const right = matchesService(node.right, s)
      return node.op === '|' ? left || right : node.op === '&' ? left && right : left && !right
    }
  }
}

/** The catalogue's compute and storage services with the facts expressions match on. */
export async function listCoveredServices(
  db: Executor,
  listAllRecords: ListRecords,
): Promise<CoveredService[]> {
  const [compute, storage, sites, infras] = await Promise.all([
    listAllRecords(db, 'computeService'),
    listAllRecords(db, 'storageService'),
    listAllRecords(db, 'site'),
    listInfrastructureFacts(db),
  ])
  const siteBy = new Map(sites.map((s) => [s.name, s]))
  const infraBy = new Map(infras.map((i) => [i.name, i]))
  const facts = (s: WireRecord, type: 'compute' | 'storage'): CoveredService => {
    const site = typeof s.site === 'string' ? siteBy.get(s.site) : undefined
    const infra = infraBy.get(String(s.infrastructure))
    const out: ServiceFacts = {
      ...flat(site?.attributes),
      ...flat(s.attributes),
      type,
      infra: String(s.infrastructure),
      infrastructure: String(s.infrastructure),
    }
    if (infra) {
      out.kind = infra.kind
      out.country = infra.country
      if (infra.part_of_name) out.partof = infra.part_of_name
    }
    if (site) {
      out.site = site.name
      out.country = String(site.country)
      if (site.tier !== null && site.tier !== undefined) out.tier = Number(site.tier)
    }
    if (type === 'compute') out.batch = String(s.batchSystem)
    else out.media = String(s.media)
    return { name: s.name, type, attributes: out }
  }
  return [...compute.map((s) => facts(s, 'compute')), ...storage.map((s) => facts(s, 'storage'))]
}

/** The names of the services `expression` selects among `services`. */
export function coveredNames(expression: string, services: readonly CoveredService[]): string[] {
  const node = parseServiceExpression(expression)
  return services.filter((s) => matchesService(node, s)).map((s) => s.name)
}

function flat(value: unknown): ServiceFacts {
  if (value === null || typeof value !== 'object') return {}
  const out: ServiceFacts = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = v as string | number | boolean
  }
  return out
}
