/**
 * Catalogue files in and out, on both backends: 40+ broken files each refused with
 * `file:line:col path: message` and nothing imported; all-or-nothing across files; the
 * shipped data set imports, exports and round-trips byte for byte.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { sql } from 'kysely'
import type { ImportError } from '../src/contract/index.js'
import { ContinuumError } from '../src/platform/index.js'
import { readYamlTree, shippedDataDir } from '../src/landscape/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const brokenDir = path.join(import.meta.dirname, 'fixtures', 'broken')
const broken = readdirSync(brokenDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const content = readFileSync(path.join(brokenDir, f), 'utf8')
    const m = /^# expect: (?:(\d+):(\d+) )?(\S+): (.*)$/m.exec(content.split('\n')[0]!)
    if (!m) throw new Error(`${f}: no '# expect:' header`)
    return {
      file: `test/fixtures/broken/${f}`,
      content,
      line: m[1] ? Number(m[1]) : undefined,
      column: m[2] ? Number(m[2]) : undefined,
      path: m[3]!,
      message: m[4]!,
    }
  })

async function importErrors(p: Promise<unknown>): Promise<ImportError[]> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof ContinuumError, String(err))
    assert.equal(err.code, 'IMPORT_INVALID', err.message)
    return err.details.errors as ImportError[]
  }
  assert.fail('expected IMPORT_INVALID')
}

describeEachBackend('catalogue import and export', (fixture) => {
  let server: TestServer
  const count = async () =>
    Number(
      (
        await sql<{
          n: number
        }>`select (select count(*) from infrastructures) + (select count(*) from compute_services) + (select count(*) from storage_services) + (select count(*) from use_cases) as n`.execute(
          fixture().database.db,
        )
      ).rows[0]!.n,
    )
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
    await server.client.landscape.importCatalog({
      files: [
        {
          path: 'base.yaml',
          content:
            'infrastructures:\n  - {name: fixture-base-infra, title: Base, kind: HTC, operator: Base, country: NL}\n',
        },
      ],
    })
  })
  after(() => server.close())

  it(`has at least 30 broken files (${broken.length})`, () => assert.ok(broken.length >= 30))

  for (const b of broken) {
    it(`refuses ${path.basename(b.file)}: ${b.path}: ${b.message}`, async () => {
      const before = await count()
      const errors = await importErrors(
        server.client.landscape.importCatalog({ files: [{ path: b.file, content: b.content }] }),
      )
      const hit = errors.find((e) => e.path === b.path && e.message.includes(b.message))
      assert.ok(
        hit,
        `no error at ${b.path} containing "${b.message}"; got:\n${errors.map((e) => e.text).join('\n')}`,
      )
      assert.equal(hit.file, b.file)
      assert.ok(hit.line >= 1 && hit.column >= 1)
      if (b.line !== undefined) {
        assert.equal(`${hit.line}:${hit.column}`, `${b.line}:${b.column}`, hit.text)
      }
      assert.equal(hit.text, `${hit.file}:${hit.line}:${hit.column} ${hit.path}: ${hit.message}`)
      assert.equal(await count(), before, 'nothing imported')
    })
  }

  it('is all-or-nothing across files: one bad file keeps the good ones out', async () => {
    const before = await count()
    const good = {
      path: 'good.yaml',
      content:
        'infrastructures:\n  - {name: aon-good, title: Good, kind: Cloud, operator: Good, country: FR}\n',
    }
    const errors = await importErrors(
      server.client.landscape.importCatalog({
        files: [good, { path: broken[0]!.file, content: broken[0]!.content }],
      }),
    )
    assert.ok(errors.length >= 1)
    assert.equal(await count(), before)
    await assert.rejects(
      server.client.catalog.getInfrastructure('aon-good'),
      (e: ContinuumError) => e.code === 'INFRASTRUCTURE_NOT_FOUND',
    )
  })

  it('reports a clash the database finds (a member twice in one community) at its place, importing nothing', async () => {
    const file = (n: number) => ({
      path: `m${n}.yaml`,
      content: `communities:\n  - {name: clash-${n}, title: C}\nmembers:\n  - {name: jdoe, community: clash-1, displayName: J}\n`,
    })
    await server.client.landscape.importCatalog({ files: [file(1)] })
    const before = await count()
    const errors = await importErrors(server.client.landscape.importCatalog({ files: [file(2)] }))
    assert.equal(
      errors[0]!.text,
      "m2.yaml:4:12 members[0].name: community member 'jdoe' exists already",
    )
    assert.equal(await count(), before)
    await assert.rejects(
      server.client.catalog.getCommunity('clash-2'),
      (e: ContinuumError) => e.code === 'COMMUNITY_NOT_FOUND',
    )
  })

  it('validates without importing, and refuses a non-catalogue body', async () => {
    const before = await count()
    const res = await server.client.landscape.validateCatalog({
      files: [
        {
          path: 'v.yaml',
          content:
            'infrastructures:\n  - {name: only-validated, title: V, kind: Data, operator: V, country: IT, url: null}\n',
        },
      ],
    })
    assert.deepEqual(res, {
      dryRun: true,
      counts: { infrastructures: 1 },
      unmapped: [],
      warnings: [],
    })
    assert.equal(await count(), before)
    await assert.rejects(
      server.client.landscape.importCatalog({ files: [] }),
      (e: ContinuumError) => e.code === 'VALIDATION_FAILED',
    )
  })

  it('imports the shipped landscape, exports it, and re-imports the export to the same bytes', async () => {
    const db = fixture().database.db
    await sql`truncate knowledge_documents, use_cases, community_members, working_groups, allocations, access_policies, network_links, software_environments, storage_services, compute_services, sites, infrastructures, communities cascade`.execute(
      db,
    )
    const files = readYamlTree(shippedDataDir)
    const result = await server.client.landscape.importCatalog({ files })
    assert.ok((result.counts.infrastructures ?? 0) >= 20, 'at least 20 infrastructures')
    assert.ok((result.counts.useCases ?? 0) >= 10, 'at least 10 use cases')
    const first = (await server.client.landscape.exportCatalog()).content
    await sql`truncate knowledge_documents, use_cases, community_members, working_groups, allocations, access_policies, network_links, software_environments, storage_services, compute_services, sites, infrastructures, communities cascade`.execute(
      db,
    )
    await server.client.landscape.importCatalog({
      files: [{ path: 'export.yaml', content: first }],
    })
    const second = (await server.client.landscape.exportCatalog()).content
    assert.equal(second, first)
    assert.match(first, /^version: 1\ninfrastructures:\n/)
  })
})
