/**
 * The storage URL policy: an endpoint can only name storage this site allows. Each bad URL of
 * issue 15 (file:///etc, loopback database ports, cloud metadata, link-local) is refused with
 * the one code ENDPOINT_URL_REFUSED and nothing is stored; an open and a closed port are
 * refused with the same answer. Runs on PGlite and PostgreSQL.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import {
  addEndpoint,
  configureEndpointUrls,
  listEndpoints,
  updateEndpoint,
} from '../src/data/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueEndpointName } from './support/data-factories.js'

describeEachBackend('storage endpoint URL policy', (fixture) => {
  let root: string
  let open: Server
  let openPort = 0
  let closedPort = 0
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'continuum-roots-'))
    // A production-like site: one storage root, public addresses only.
    configureEndpointUrls({ storageRoots: [root], networks: [] })
    open = createServer((socket) => socket.destroy())
    await new Promise<void>((done) => open.listen(0, '127.0.0.1', done))
    openPort = (open.address() as { port: number }).port
    const probe = createServer()
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
    closedPort = (probe.address() as { port: number }).port
    await new Promise((done) => probe.close(done))
  })
  after(async () => {
    configureEndpointUrls({ storageRoots: [os.tmpdir()], networks: ['loopback'] })
    await new Promise((done) => open.close(done))
    rmSync(root, { recursive: true, force: true })
  })

  const add = (url: string) =>
    addEndpoint(fixture().ctx, {
      name: uniqueEndpointName(),
      protocols: [
        { scheme: url.slice(0, url.indexOf(':')) as 'file', url, read: 1, write: 1, delete: 1 },
      ],
    })

  it('refuses every URL that leads outside the site, with one code, storing nothing', async () => {
    const before = (await listEndpoints(fixture().ctx)).length
    const bad = [
      'file:///etc',
      'file:///etc/continuum',
      pathToFileURL(`${root}-sibling/x`).href,
      `http://127.0.0.1:${openPort}`,
      `http://127.0.0.1:${closedPort}`,
      'http://localhost:5432/',
      // Loopback names are decided without the resolver (a slow lookup once let one through).
      'http://LOCALHOST.:5432/',
      'https://db.localhost/',
      'http://ip6-localhost/',
      'http://[::1]:5432/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'https://169.254.169.254/',
      'http://[fe80::1]/',
      'http://0.0.0.0:8080/',
      'http://10.1.2.3/data',
      'https://192.168.1.10/data',
      'davs://172.16.0.5/data',
      'http://user:secret@storage.example.org/data',
    ]
    for (const url of bad) await rejectsWith(add(url), 'ENDPOINT_URL_REFUSED', url)
    assert.equal((await listEndpoints(fixture().ctx)).length, before)
  })

  it('answers an open and a closed local port alike, so ports cannot be scanned', async () => {
    const answer = async (port: number) => {
      const err = await rejectsWith(add(`http://127.0.0.1:${port}/`), 'ENDPOINT_URL_REFUSED')
      return err.message.replace(String(port), 'PORT')
    }
    assert.equal(await answer(openPort), await answer(closedPort))
  })

  it('accepts folders under a storage root and public hosts; refuses a bad update', async () => {
    const ok = await add(pathToFileURL(path.join(root, 'disk')).href)
    await add('https://storage.example.org/data')
    await rejectsWith(
      updateEndpoint(fixture().ctx, ok.name, {
        protocols: [{ scheme: 'file', url: 'file:///etc', read: 1, write: 1, delete: 1 }],
      }),
      'ENDPOINT_URL_REFUSED',
    )
    const after = (await listEndpoints(fixture().ctx)).find((e) => e.name === ok.name)
    assert.equal(after?.protocols[0]?.url, ok.protocols[0]?.url)
  })

  it('allows loopback and private ranges only where the site configures them', async () => {
    configureEndpointUrls({ storageRoots: [root], networks: ['loopback'] })
    await add(`http://127.0.0.1:${openPort}/`)
    await rejectsWith(add('http://10.1.2.3/'), 'ENDPOINT_URL_REFUSED')
    await rejectsWith(add('http://169.254.169.254/'), 'ENDPOINT_URL_REFUSED')
    configureEndpointUrls({ storageRoots: [root], networks: [] })
  })
})
