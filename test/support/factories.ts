/** Valid inputs with random suffixes, overridable per test; no fixtures shared across files. */
import { randomBytes } from 'node:crypto'
import type { CommunityCreate, InfrastructureCreate } from '../../src/contract/index.js'

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

export function makeInfrastructure(overrides: Partial<InfrastructureCreate> = {}): InfrastructureCreate {
  return {
    name: uniqueName('infra'),
    title: 'Test Supercomputer',
    kind: 'HPC',
    operator: 'Test Computing Centre',
    country: 'DE',
    url: 'https://example.org/hpc',
    ...overrides,
  }
}

export function makeCommunity(overrides: Partial<CommunityCreate> = {}): CommunityCreate {
  return { name: uniqueName('community'), title: 'Test Community', field: 'High-Energy Physics', ...overrides }
}
