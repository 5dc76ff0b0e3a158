/** Valid data-federation inputs with random suffixes, overridable per test. */
import { randomBytes } from 'node:crypto'
import type { EndpointCreate } from '../../src/contract/index.js'

export function uniqueScope(prefix = 'sc'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`
}

export function uniqueEndpointName(prefix = 'EP'): string {
  return `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`
}

export function makeEndpoint(overrides: Partial<EndpointCreate> = {}): EndpointCreate {
  return {
    name: uniqueEndpointName(),
    attributes: { country: 'DE', tier: 1, type: 'disk' },
    protocols: [
      {
        scheme: 'https',
        url: 'https://storage.example.org:443/data',
        read: 1,
        write: 1,
        delete: 1,
      },
    ],
    capacityBytes: 1e12,
    ...overrides,
  }
}

/** A plausible adler32 for a fake file (tests that move real bytes compute real ones). */
export function fakeAdler32(): string {
  return randomBytes(4).toString('hex')
}
