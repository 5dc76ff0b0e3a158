/** Reads the whole landscape in one go: the matcher and the gap report work on this snapshot. */
import { listAllRecords, listInfrastructures } from '../catalog/index.js'
import type {
  AccessPolicy,
  ComputeService,
  Infrastructure,
  NetworkLink,
  SoftwareEnvironment,
  StorageService,
  UseCase,
} from '../contract/index.js'
import type { Context } from '../db/index.js'
import { buildFacts, buildStorageFacts, type Landscape } from './match.js'

export async function loadLandscape(ctx: Context): Promise<Landscape> {
  const infrastructures: Infrastructure[] = []
  let cursor: string | undefined
  do {
    const page = await listInfrastructures(ctx, { limit: 500, ...(cursor ? { cursor } : {}) })
    infrastructures.push(...page.items)
    cursor = page.next ?? undefined
  } while (cursor)
  const compute = (await listAllRecords(ctx.db, 'computeService')) as unknown as ComputeService[]
  const storage = (await listAllRecords(ctx.db, 'storageService')) as unknown as StorageService[]
  const policies = (await listAllRecords(ctx.db, 'accessPolicy')) as unknown as AccessPolicy[]
  const software = (await listAllRecords(
    ctx.db,
    'softwareEnvironment',
  )) as unknown as SoftwareEnvironment[]
  const useCases = (await listAllRecords(ctx.db, 'useCase')) as unknown as UseCase[]
  const links = (await listAllRecords(ctx.db, 'networkLink')) as unknown as NetworkLink[]
  return {
    infrastructures,
    compute,
    storage,
    policies,
    software,
    useCases,
    facts: buildFacts(compute, software),
    storageFacts: buildStorageFacts(storage, compute, links),
  }
}
