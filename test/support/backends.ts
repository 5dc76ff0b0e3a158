/**
 * Runs a suite once per database backend (PGlite and PostgreSQL), each with a fresh isolated
 * database for this test file. PostgreSQL suites skip locally when no server is reachable and
 * fail under CI=true.
 */
import { after, before, describe } from 'node:test'
import './site-config.js'
import { openTestDatabase, testBackends, type TestDatabase } from '../../src/db/testing.js'
import { systemActor, ManualClock } from '../../src/platform/index.js'
import type { Context } from '../../src/db/index.js'

export interface BackendFixture {
  database: TestDatabase
  ctx: Context
  clock: ManualClock
}

const backends = await testBackends()

export function describeEachBackend(
  title: string,
  body: (fixture: () => BackendFixture) => void,
): void {
  for (const backend of backends) {
    describe(`${title} [${backend.name}]`, { skip: backend.skip }, () => {
      let fixture: BackendFixture | undefined
      before(async () => {
        const database = await openTestDatabase(backend.name)
        const clock = new ManualClock('2026-03-01T12:00:00Z')
        fixture = {
          database,
          clock,
          ctx: { db: database.db, clock: clock, actor: systemActor('test') },
        }
      })
      after(async () => {
        await fixture?.database.close()
      })
      body(() => {
        if (!fixture) throw new Error('fixture used outside a test')
        return fixture
      })
    })
  }
}
