/**
 * The WebDAV protocol against a real nginx: write/read/stat/delete, verified copies between
 * POSIX and WebDAV endpoints in both directions, and a transfer rule onto a WebDAV endpoint.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { addRule, addScope, getRule, listReplicas } from '../src/data/index.js'
import { ContinuumError } from '../src/platform/index.js'
import {
  copyVerified,
  digestOf,
  ProtocolRegistry,
  TransferAgent,
  uploadFile,
  WebdavProtocol,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { nginxSkipReason, startNginxWebdav, type NginxWebdav } from './support/nginx.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

const skip = nginxSkipReason()

describe('WebDAV protocol against nginx', { skip }, () => {
  let nginx: NginxWebdav
  const dav = new WebdavProtocol()
  before(async () => {
    nginx = await startNginxWebdav()
  })
  after(() => nginx.stop())

  it('writes into new directories, reads, stats and deletes idempotently', async () => {
    const data = randomData(300_000)
    const url = `${nginx.url}/a/b/c/file.bin`
    await dav.write(url, bytesOf(data), { bytes: data.length })
    assert.deepEqual(await dav.stat(url), { bytes: data.length })
    assert.equal((await digestOf(dav.read(url))).adler32, (await digestOf(bytesOf(data))).adler32)
    await dav.delete(url)
    assert.equal(await dav.stat(url), undefined)
    await dav.delete(url)
  })

  it('reports storage errors with the URL and leaves nothing behind when a stream fails', async () => {
    const url = `${nginx.url}/broken/file.bin`
    async function* failing() {
      yield new Uint8Array(1000)
      throw new Error('source went away')
    }
    await assert.rejects(
      dav.write(url, failing(), { bytes: 5000 }),
      (err: unknown) => err instanceof ContinuumError && err.code === 'STORAGE_ERROR',
    )
    assert.equal(await dav.stat(url), undefined)
    const closed = new WebdavProtocol({ timeoutMs: 2000 })
    await assert.rejects(
      closed.stat('http://127.0.0.1:1/x'),
      (err: unknown) =>
        err instanceof ContinuumError &&
        err.code === 'STORAGE_UNREACHABLE' &&
        /127\.0\.0\.1:1/.test(err.message),
    )
  })

  it('copies POSIX → WebDAV → POSIX with verification, and deletes a destination that does not verify', async () => {
    const storage = tempStorage()
    const registry = new ProtocolRegistry()
    try {
      const data = randomData(1_000_000)
      const src = `file://${storage.root}/src.bin`
      await registry.for(src).write(src, bytesOf(data))
      const expected = await digestOf(bytesOf(data))
      await copyVerified(registry, src, `${nginx.url}/copy/x.bin`, expected)
      await copyVerified(
        registry,
        `${nginx.url}/copy/x.bin`,
        `file://${storage.root}/back.bin`,
        expected,
      )
      assert.deepEqual(
        await digestOf(registry.for(src).read(`file://${storage.root}/back.bin`)),
        expected,
      )
      await assert.rejects(
        copyVerified(registry, src, `${nginx.url}/copy/wrong.bin`, {
          bytes: data.length,
          adler32: '00000000',
        }),
        (err: unknown) => err instanceof ContinuumError && err.code === 'CHECKSUM_MISMATCH',
      )
      assert.equal(existsSync(path.join(nginx.root, 'copy', 'wrong.bin')), false)
    } finally {
      storage.cleanup()
    }
  })
})

describeEachBackend('rules onto a WebDAV endpoint', (fixture) => {
  let nginx: NginxWebdav | undefined
  let storage: TempStorage
  before(async () => {
    storage = tempStorage()
    if (!skip) nginx = await startNginxWebdav()
  })
  after(async () => {
    storage.cleanup()
    await nginx?.stop()
  })

  it(
    'replicates from POSIX to nginx WebDAV and the bytes are on the web server',
    { skip },
    async () => {
      const { ctx } = fixture()
      const registry = new ProtocolRegistry()
      const posix = await storage.add(ctx, { country: 'NL', type: 'disk' })
      const { addEndpoint } = await import('../src/data/index.js')
      const web = await addEndpoint(ctx, {
        name: `DAV-${Date.now()}`,
        attributes: { country: 'DE', type: 'disk' },
        protocols: [{ scheme: 'http', url: `${nginx!.url}/pnfs`, read: 1, write: 1, delete: 1 }],
      })
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      const data = randomData(500_000)
      await uploadFile(ctx, registry, { scope, name: 'obs.fits', to: posix.name }, bytesOf(data))
      const rule = await addRule(ctx, { scope, name: 'obs.fits', copies: 1, expression: web.name })
      assert.equal(await new TransferAgent(ctx, { workerId: 'w', registry }).runOnce(), 1)
      assert.equal((await getRule(ctx, rule.id)).state, 'ok')
      const replica = (await listReplicas(ctx, { scope, name: 'obs.fits' })).find(
        (r) => r.endpoint === web.name,
      )!
      assert.ok(replica.urls[0]!.startsWith(nginx!.url))
      assert.ok(
        readdirSync(path.join(nginx!.root, 'pnfs', scope), { recursive: true })
          .map(String)
          .some((p) => p.endsWith('obs.fits')),
      )
    },
  )
})
