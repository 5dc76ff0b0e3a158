/**
 * The people of the practice tests: a test server over the file's database, four communities
 * and two use cases, and clients for a coordinator (atlas), a reviewer (lofar), a plain member
 * (ska), an outsider (atlas, never in the group) and three respondents. Tokens outlive the
 * tests' month-long clock jumps.
 */
import { after, before } from 'node:test'
import { addCommunity, addRecord } from '../../src/catalog/index.js'
import type { ContinuumClient } from '../../src/client/index.js'
import type { BackendFixture } from './backends.js'
import { startTestServer, type TestServer } from './server.js'

export interface PracticePeople {
  server: TestServer
  coordinator: ContinuumClient
  reviewer: ContinuumClient
  member: ContinuumClient
  outsider: ContinuumClient
  respondents: ContinuumClient[]
  /** `issuer#subject` of a test identity. */
  principal: (sub: string) => string
}

/** Registers before/after hooks in the calling suite; the result is usable inside tests. */
export function practicePeople(fixture: () => BackendFixture): () => PracticePeople {
  let people: PracticePeople | undefined
  before(async () => {
    const ctx = fixture().ctx
    for (const name of ['atlas', 'lofar', 'ska', 'cms']) {
      await addCommunity(ctx, { name, title: name.toUpperCase() })
    }
    await addRecord(ctx, 'useCase', { name: 'cms-use-case', title: 'CMS case', community: 'cms' })
    await addRecord(ctx, 'useCase', {
      name: 'test-use-case',
      title: 'A use case',
      community: 'lofar',
      profile: { compute: { walltimeHours: 12 } },
    })
    const server = await startTestServer(fixture().database, { clock: fixture().clock })
    const as = (sub: string, group: string) =>
      server.clientAs({ sub, groups: [group], expiresIn: 365 * 86_400 })
    people = {
      server,
      coordinator: await as('coord', '/atlas'),
      reviewer: await as('rev', '/lofar'),
      member: await as('mem', '/ska'),
      outsider: await as('out', '/atlas'),
      respondents: [await as('r1', '/atlas'), await as('r2', '/atlas'), await as('r3', '/cms')],
      principal: (sub) => `${server.issuer!.url}#${sub}`,
    }
  })
  after(() => people?.server.close())
  return () => {
    if (!people) throw new Error('practice people used outside a test')
    return people
  }
}

/** The group the survey tests use: coord coordinates, rev reviews, mem is a member. */
export async function addTestGroup(p: PracticePeople, name: string): Promise<void> {
  await p.coordinator.practice.addGroup({
    name,
    title: 'Requirements (test)',
    community: 'atlas',
    charter: 'Gather requirements.',
    displayName: 'Member A (synthetic)',
  })
  for (const [sub, displayName, community, role] of [
    ['rev', 'Member B (synthetic)', 'lofar', 'reviewer'],
    ['mem', 'Member C (synthetic)', 'ska', 'member'],
  ] as const) {
    await p.coordinator.practice.addMember(name, {
      principal: p.principal(sub),
      displayName,
      community,
      role,
    })
  }
}
