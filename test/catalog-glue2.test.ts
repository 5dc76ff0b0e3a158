/**
 * GLUE 2.0 as sites publish it: the official flat JSON rendering linked by Associations, the
 * nested form, LDIF from a BDII; strict JSON with line:col errors; storage sizes kept; every
 * attribute mapped or reported; bad input refused whole, through the API on both backends.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { filesParsedOffThread } from '../src/catalog/catalog-parse-thread.js'
import { mapGlueFile } from '../src/catalog/glue2-map.js'
import type { ImportError } from '../src/contract/index.js'
import { ContinuumError } from '../src/platform/index.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const nested = readFileSync(
  path.join(import.meta.dirname, 'fixtures', 'glue2', 'site-bdii.json'),
  'utf8',
)
const id = (kind: string, name: string) => `urn:glue2:${kind}:${name}`
const flat = JSON.stringify(
  {
    AdminDomain: [
      {
        ID: id('AdminDomain', 'flat-t2'),
        Name: 'Flat-T2',
        Owner: ['Flat University'],
        Associations: { LocationID: id('Location', 'flat') },
      },
    ],
    Location: [{ ID: id('Location', 'flat'), Country: 'NL', Place: 'Amsterdam' }],
    ComputingService: [
      {
        ID: id('ComputingService', 'ce.flat'),
        Name: 'ce.flat.example.org',
        Type: 'org.nordugrid.arex',
        QualityLevel: 'production',
        Associations: { AdminDomainID: id('AdminDomain', 'flat-t2') },
      },
    ],
    ComputingManager: [
      {
        ID: id('ComputingManager', 'ce.flat'),
        ProductName: 'SLURM',
        TotalLogicalCPUs: 4096,
        Associations: { ServiceID: id('ComputingService', 'ce.flat') },
      },
    ],
    ComputingShare: [
      { ID: id('ComputingShare', 'short'), MappingQueue: 'short', MaxWallTime: 3600 },
      { ID: id('ComputingShare', 'long'), MappingQueue: 'long', MaxWallTime: 172800 },
    ].map((s) => ({ ...s, Associations: { ServiceID: id('ComputingService', 'ce.flat') } })),
    ExecutionEnvironment: [
      {
        ID: id('ExecutionEnvironment', 'node'),
        MainMemorySize: 524288,
        LogicalCPUs: 128,
        Associations: { ManagerID: id('ComputingManager', 'ce.flat') },
      },
    ],
    StorageService: [
      { ID: id('StorageService', 'se.flat'), Name: 'se.flat.example.org', Type: 'dcache' },
    ],
    // The StorageServiceID attribute, as the rendering's schema names it, links too.
    StorageServiceCapacity: [
      {
        ID: id('StorageServiceCapacity', 'disk'),
        Type: 'online',
        TotalSize: 2000000,
        UsedSize: 1500000,
        FreeSize: 400000,
        ReservedSize: 100000,
        StorageServiceID: id('StorageService', 'se.flat'),
      },
    ],
    Endpoint: [
      {
        ID: id('Endpoint', 'se.flat-davs'),
        InterfaceName: 'webdav',
        URL: 'davs://se.flat.example.org:2880/',
        Associations: { ServiceID: id('StorageService', 'se.flat') },
      },
    ],
    AccessPolicy: [
      {
        ID: id('AccessPolicy', 'atlas'),
        Rule: ['VO:atlas'],
        Associations: { EndpointID: [id('Endpoint', 'se.flat-davs')] },
      },
    ],
  },
  null,
  2,
)

// A site BDII's answer: a continued line, a base64 value, foreign keys and the DN tree.
const ldif = `version: 1
# LDIF-T2, as ldapsearch -LLL -b GLUE2GroupID=grid,o=glue answers

dn: GLUE2DomainID=LDIF-T2,GLUE2GroupID=grid,o=glue
objectClass: GLUE2Domain
objectClass: GLUE2AdminDomain
GLUE2DomainID: LDIF-T2
GLUE2EntityName: LDIF-T2
GLUE2DomainDescription: A site publish
 ed by its BDII
GLUE2DomainWWW: https://ldif-t2.example.org/

dn: GLUE2LocationID=LDIF-T2-loc,GLUE2DomainID=LDIF-T2,GLUE2GroupID=grid,o=glue
objectClass: GLUE2Location
GLUE2LocationID: LDIF-T2-loc
GLUE2LocationCountry: FR

dn: GLUE2ServiceID=ce.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2Service
objectClass: GLUE2ComputingService
GLUE2ServiceID: ce.ldif
GLUE2EntityName:: ${Buffer.from('ce.ldif.example.org').toString('base64')}
GLUE2ServiceType: org.nordugrid.arex
GLUE2ServiceAdminDomainForeignKey: LDIF-T2
GLUE2ComputingServiceTotalJobs: 12

dn: GLUE2ManagerID=ce.ldif-mgr,GLUE2ServiceID=ce.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2Manager
objectClass: GLUE2ComputingManager
GLUE2ManagerID: ce.ldif-mgr
GLUE2ManagerProductName: HTCondor
GLUE2ComputingManagerTotalLogicalCPUs: 2048

dn: GLUE2ShareID=ce.ldif-grid,GLUE2ServiceID=ce.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2Share
objectClass: GLUE2ComputingShare
GLUE2ShareID: ce.ldif-grid
GLUE2ComputingShareMappingQueue: grid
GLUE2ComputingShareMaxWallTime: 259200
GLUE2ShareServiceForeignKey: ce.ldif

dn: GLUE2ServiceID=se.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2Service
objectClass: GLUE2StorageService
GLUE2ServiceID: se.ldif
GLUE2EntityName: se.ldif.example.org
GLUE2ServiceAdminDomainForeignKey: LDIF-T2

dn: GLUE2StorageServiceCapacityID=se.ldif-tape,GLUE2ServiceID=se.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2StorageServiceCapacity
GLUE2StorageServiceCapacityID: se.ldif-tape
GLUE2StorageServiceCapacityType: nearline
GLUE2StorageServiceCapacityTotalSize: 8000000
GLUE2StorageServiceCapacityUsedSize: 6000000
GLUE2StorageServiceCapacityFreeSize: 2000000
GLUE2StorageServiceCapacityStorageServiceForeignKey: se.ldif

dn: GLUE2EndpointID=se.ldif-xroot,GLUE2ServiceID=se.ldif,GLUE2GroupID=resource,o=glue
objectClass: GLUE2Endpoint
objectClass: GLUE2StorageEndpoint
GLUE2EndpointID: se.ldif-xroot
GLUE2EndpointInterfaceName: xroot
GLUE2EndpointServiceForeignKey: se.ldif
`

const errorsOf = (e: unknown): string[] => {
  assert.ok(e instanceof ContinuumError && e.code === 'IMPORT_INVALID', String(e))
  return (e.details.errors as ImportError[]).map((x) => x.text)
}

describe('GLUE 2.0 mapping (pure)', () => {
  it('reads the official flat JSON rendering, linked by Associations', () => {
    const r = mapGlueFile('flat.json', flat)
    assert.deepEqual(r.errors, [])
    assert.ok(r.mapped?.content.includes('name: ce.flat.example.org'), r.mapped?.content)
    assert.ok(r.warnings.some((w) => w.includes('not mapped: ComputingShare.MappingQueue')))
    assert.ok(r.warnings.some((w) => w.includes('not mapped: AccessPolicy')))
  })

  it('reports every attribute it does not map, with its line and column', () => {
    const r = mapGlueFile('flat.json', flat)
    const line = flat.split('\n').findIndex((l) => l.includes('"Place"')) + 1
    const place = r.warnings.find((w) => w.includes('not mapped: Location.Place'))
    assert.match(String(place), new RegExp(`^flat\\.json:${line}:\\d+ Location\\[0\\]\\.Place: `))
    assert.equal(r.unmapped.length, r.warnings.length, 'one warning per unmapped item here')
    for (const u of ['Endpoint[0].URL', 'ComputingShare[1].MappingQueue']) {
      assert.ok(
        r.unmapped.some((x) => x.path === u),
        u,
      )
    }
  })

  it('refuses JSON that only YAML accepts, at line:col', () => {
    const r = mapGlueFile('bad.json', '{\n  "AdminDomain": [{"Name": "X",}]\n}')
    assert.equal(r.mapped, undefined)
    assert.match(r.errors[0]!.text, /^bad\.json:2:32 \(syntax\): not valid JSON/)
    assert.ok(mapGlueFile('y.json', 'AdminDomain:\n  - Name: X\n').errors.length === 1)
  })

  it('makes each AdminDomain an infrastructure, its services those linked to it', () => {
    const r = mapGlueFile(
      'two.json',
      JSON.stringify({
        AdminDomain: [
          { ID: 'a', Name: 'A', Owner: ['U1', 'U2'] },
          { ID: 'b', Name: 'B' },
        ],
        ComputingService: [
          {
            Name: 'ce.b',
            Associations: { AdminDomainID: 'b' },
            ComputingManager: [{ ProductName: 'slurm' }, { ProductName: 'pbs' }],
          },
        ],
        StorageService: [{ Name: 'se.a' }],
      }),
    )
    assert.deepEqual(r.errors, [])
    const doc = parse(r.mapped!.content) as Record<string, Array<Record<string, unknown>>>
    assert.deepEqual(
      doc.infrastructures!.map((i) => [i.name, i.operator]),
      [
        ['a', 'U1, U2'],
        ['b', 'B'],
      ],
    )
    assert.equal(doc.computeServices![0]!.infrastructure, 'b')
    assert.equal(doc.storageServices![0]!.infrastructure, 'a')
    const managers = r.unmapped.filter((u) => u.path.includes('ComputingManager[1]'))
    assert.deepEqual(
      managers.map((u) => u.path),
      ['ComputingService[0].ComputingManager[1]'],
      'a second manager is reported once, whole',
    )
  })

  it('refuses an entity list of the wrong type, naming it', () => {
    const r = mapGlueFile('t.json', '{"AdminDomain": [{"Name": "T"}],\n "ComputingService": "ce"}')
    assert.equal(r.mapped, undefined)
    assert.equal(
      r.errors[0]?.text,
      't.json:2:22 ComputingService: expected a list of GLUE 2.0 entities (JSON objects), got a string',
    )
  })

  it('refuses malformed LDIF with the line at fault', () => {
    for (const [text, line] of [
      ['dn: GLUE2DomainID=X,o=glue\nobjectClass GLUE2Domain\n', 2],
      ['dn: GLUE2DomainID=X,o=glue\nGLUE2EntityName:: not*base64\n', 2],
      [' continued\ndn: GLUE2DomainID=X,o=glue\n', 1],
      ['dn: GLUE2DomainID=X,o=glue\n\nobjectClass: GLUE2Domain\n', 3],
    ] as const) {
      const r = mapGlueFile('bad.ldif', text)
      assert.equal(r.mapped, undefined, text)
      assert.ok(
        r.errors.some((e) => e.line === line && e.path === '(ldif)'),
        JSON.stringify(r.errors),
      )
    }
  })
})

describeEachBackend('GLUE 2.0 import through the API', (fixture) => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(fixture().database, { clock: fixture().clock })
  })
  after(() => server.close())
  const c = () => server.client
  const glue = (file: string, content: string, format: 'glue2' | undefined = 'glue2') =>
    c().landscape.importCatalog({ files: [{ path: file, content }], format })

  it('imports flat JSON: services found through Associations, sizes kept', async () => {
    const r = await glue('flat.json', flat)
    assert.deepEqual(r.counts, { infrastructures: 1, computeServices: 1, storageServices: 1 })
    const infra = await c().catalog.getInfrastructure('flat-t2')
    assert.deepEqual([infra.country, infra.operator], ['NL', 'Flat University'])
    const ce = await c().landscape.computeServices.get('ce.flat.example.org')
    assert.deepEqual(
      [ce.batchSystem, ce.cores, ce.memoryPerCoreGB, ce.maxWalltimeHours],
      ['slurm', 4096, 4, 48],
    )
    assert.equal(ce.attributes.quality_level, 'production')
    const se = await c().landscape.storageServices.get('se.flat.example.org')
    assert.deepEqual([se.media, se.capacityTB, se.protocols], ['disk', 2000, ['davs']])
    assert.deepEqual(
      [se.attributes.used_tb, se.attributes.free_tb, se.attributes.reserved_tb],
      ['1500', '400', '100'],
    )
  })

  it('still imports the nested form', async () => {
    const r = await glue('site-bdii.json', nested)
    assert.deepEqual(r.counts, { infrastructures: 1, computeServices: 1, storageServices: 2 })
    assert.ok(r.warnings.some((w) => w.includes('not mapped: ComputingService.TotalJobs')))
    const disk = await c().landscape.storageServices.get('se01.example.org-disk')
    assert.equal(disk.capacityTB, 5000)
  })

  it('imports an AdminDomain without Location as country ZZ, and says so', async () => {
    const r = await glue(
      'noloc.json',
      '{"AdminDomain":[{"Name":"NoLoc-T3"}],"StorageService":[{"Name":"se.noloc.example.org"}]}',
    )
    assert.equal((await c().catalog.getInfrastructure('noloc-t3')).country, 'ZZ')
    assert.ok(
      r.warnings.some((w) => w.includes('no Location.Country') && w.includes('(ZZ)')),
      r.warnings.join('\n'),
    )
  })

  it('reads LDIF (continued lines, base64), with or without format glue2', async () => {
    const dry = await glue('site.ldif', ldif, undefined).then(() => undefined, errorsOf)
    assert.equal(dry, undefined)
    const infra = await c().catalog.getInfrastructure('ldif-t2')
    assert.deepEqual(
      [infra.country, infra.description, infra.url],
      ['FR', 'A site published by its BDII', 'https://ldif-t2.example.org/'],
    )
    const ce = await c().landscape.computeServices.get('ce.ldif.example.org')
    assert.deepEqual([ce.batchSystem, ce.cores, ce.maxWalltimeHours], ['htcondor', 2048, 72])
    const se = await c().landscape.storageServices.get('se.ldif.example.org')
    assert.deepEqual([se.media, se.capacityTB, se.protocols], ['tape', 8000, ['root']])
    assert.deepEqual([se.attributes.used_tb, se.attributes.free_tb], ['6000', '2000'])
  })

  it('refuses invalid JSON with line:col and imports nothing', async () => {
    const content = '{"AdminDomain": [{"Name": "Broken-T2"}],\n "StorageService": [{"Name": "x"},]}'
    const texts = await glue('broken.json', content).then(() => [], errorsOf)
    assert.ok(
      texts.some((t) => /^broken\.json:2:\d+ \(syntax\): not valid JSON/.test(t)),
      texts[0],
    )
    await assert.rejects(c().catalog.getInfrastructure('broken-t2'))
  })

  it('refuses wrong types in JSON and LDIF at the value, changing nothing', async () => {
    const json = flat.replace('"TotalLogicalCPUs": 4096', '"TotalLogicalCPUs": "many"')
    const line = json.split('\n').findIndex((l) => l.includes('"many"')) + 1
    const texts = await glue('types.json', json.replace(/flat/g, 'typed')).then(() => [], errorsOf)
    assert.ok(
      texts.some(
        (t) => t.startsWith(`types.json:${line}:`) && t.includes('expected a non-negative number'),
      ),
      texts.join('\n'),
    )
    const bad = ldif
      .replace(/LDIF-T2/g, 'LDIF-T9')
      .replace('TotalLogicalCPUs: 2048', 'TotalLogicalCPUs: lots')
    const ldifLine = bad.split('\n').findIndex((l) => l.endsWith(': lots')) + 1
    const ldifTexts = await glue('types.ldif', bad).then(() => [], errorsOf)
    assert.ok(
      ldifTexts.some((t) => t.startsWith(`types.ldif:${ldifLine}:40 `)),
      ldifTexts.join('\n'),
    )
    await assert.rejects(c().catalog.getInfrastructure('ldif-t9'))
    await assert.rejects(c().catalog.getInfrastructure('typed-t2'))
  })

  it('maps a large LDIF file on the parse thread, its warnings capped', async () => {
    const services = Array.from(
      { length: 300 },
      (_, i) => `dn: GLUE2ServiceID=ce${i}.big,GLUE2GroupID=resource,o=glue
objectClass: GLUE2ComputingService
GLUE2ServiceID: ce${i}.big
GLUE2EntityName: ce${i}.big.example.org
GLUE2EntityCreationTime: 2026-03-01T12:00:00Z
GLUE2EntityValidity: 3600
GLUE2ComputingServiceTotalJobs: ${i}
GLUE2ComputingServiceRunningJobs: ${i}

dn: GLUE2ManagerID=ce${i}.big-mgr,GLUE2ServiceID=ce${i}.big,GLUE2GroupID=resource,o=glue
objectClass: GLUE2ComputingManager
GLUE2ManagerID: ce${i}.big-mgr
GLUE2ManagerProductName: Slurm
GLUE2ComputingManagerTotalLogicalCPUs: ${i + 1}
`,
    )
    const content = `dn: GLUE2DomainID=Big-LDIF,o=glue\nobjectClass: GLUE2AdminDomain\nGLUE2DomainID: Big-LDIF\n\n${services.join('\n')}`
    assert.ok(content.length > 32 * 1024)
    const before = filesParsedOffThread
    const r = await c().landscape.validateCatalog({ files: [{ path: 'big.ldif', content }] })
    // Mapped there, and the mapping (a catalogue file as large) parsed there too.
    assert.equal(filesParsedOffThread, before + 2, 'mapped on the parse thread')
    assert.deepEqual(r.counts, { infrastructures: 1, computeServices: 300 })
    assert.ok(r.warnings.some((w) => w.includes('(ZZ)')))
    assert.equal(r.unmapped.length, 1200, 'every unmapped attribute listed')
    assert.equal(r.warnings.length, 1000, 'warnings capped')
    assert.match(r.warnings.at(-1)!, /^… and 202 more warnings/)
  })

  it('refuses malformed LDIF as IMPORT_INVALID, nothing imported', async () => {
    const bad = ldif.replace(/LDIF-T2/g, 'LDIF-T8').replace('objectClass: GLUE2Location', 'oops')
    const texts = await glue('bad.ldif', bad).then(() => [], errorsOf)
    assert.ok(
      texts.some((t) => t.includes("(ldif): expected 'attribute: value'")),
      texts[0],
    )
    await assert.rejects(c().catalog.getInfrastructure('ldif-t8'))
  })
})
