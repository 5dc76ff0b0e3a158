/**
 * POSIX storage stays inside its root: a symlinked scope folder does not send an upload
 * elsewhere, a replica replaced by a link to /etc/hostname is not served, and deletes, stats and
 * planted side files do not follow links. Runs on PGlite and PostgreSQL.
 */
import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  readFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { addScope, deterministicPath } from '../src/data/index.js'
import {
  openDownload,
  PosixProtocol,
  ProtocolRegistry,
  uploadFile,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('POSIX storage refuses symbolic links', (fixture) => {
  let storage: TempStorage
  let outside: string
  const registry = new ProtocolRegistry([new PosixProtocol()])
  before(() => {
    storage = tempStorage()
    outside = mkdtempSync(path.join(os.tmpdir(), 'continuum-outside-'))
  })
  after(() => {
    storage.cleanup()
    rmSync(outside, { recursive: true, force: true })
  })

  it('does not upload through a symlinked scope folder', async () => {
    const { ctx } = fixture()
    const endpoint = await storage.add(ctx, { country: 'DE' })
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    mkdirSync(storage.dirOf(endpoint), { recursive: true })
    symlinkSync(outside, path.join(storage.dirOf(endpoint), scope))
    await rejectsWith(
      uploadFile(
        ctx,
        registry,
        { scope, name: 'f1', to: endpoint.name },
        bytesOf(randomData(1000)),
      ),
      'STORAGE_SYMLINK_REFUSED',
    )
    assert.deepEqual(readdirSync(outside), [], 'nothing was written outside the root')
  })

  it('does not serve a replica replaced by a link to /etc/hostname', async () => {
    const { ctx } = fixture()
    const endpoint = await storage.add(ctx, { country: 'FR' })
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await uploadFile(
      ctx,
      registry,
      { scope, name: 'f2', to: endpoint.name },
      bytesOf(randomData(1000)),
    )
    const file = path.join(storage.dirOf(endpoint), deterministicPath({ scope, name: 'f2' }))
    unlinkSync(file)
    symlinkSync('/etc/hostname', file)
    await rejectsWith(
      openDownload(ctx, registry, { scope, name: 'f2' }),
      'REPLICA_NOT_FOUND',
      /symbolic link/,
    )
    const posix = new PosixProtocol()
    const url = pathToFileURL(file).href
    await rejectsWith(posix.stat(url), 'STORAGE_SYMLINK_REFUSED')
    await rejectsWith(collect(posix.read(url)), 'STORAGE_SYMLINK_REFUSED')
    await rejectsWith(posix.delete(url), 'STORAGE_SYMLINK_REFUSED')
    assert.ok(existsSync('/etc/hostname'))
  })

  it('replaces a link planted at the side file instead of writing through it', async () => {
    const dir = path.join(storage.root, 'plain')
    mkdirSync(dir, { recursive: true })
    const victim = path.join(outside, 'victim')
    writeFileSync(victim, 'keep')
    symlinkSync(victim, path.join(dir, 'out.part'))
    await new PosixProtocol().write(
      pathToFileURL(path.join(dir, 'out')).href,
      bytesOf(Buffer.from('new')),
    )
    assert.equal(readFileSync(victim, 'utf8'), 'keep')
    assert.equal(readFileSync(path.join(dir, 'out'), 'utf8'), 'new')
  })
})

async function collect(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0
  for await (const chunk of stream) n += chunk.length
  return n
}
