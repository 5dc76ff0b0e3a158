/**
 * Nothing left behind (issue 16): a scope name with an empty dot-part (`user.`) is refused
 * before it can break uploads, and an upload into a scope that does not exist fails before it
 * writes a byte or makes a folder.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { after, before, it } from 'node:test'
import { ProtocolRegistry, uploadFile } from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'

describeEachBackend('nothing left behind', (fixture) => {
  let server: TestServer
  let storage: TempStorage
  before(async () => {
    server = await startTestServer(fixture().database)
    storage = tempStorage()
  })
  after(async () => {
    await server?.close()
    storage?.cleanup()
  })

  it('refuses scope names with an empty dot-part', async () => {
    for (const name of ['user.', '.user', 'user..jdoe']) {
      await rejectsWith(server.client.data.addScope({ name }), 'DID_INVALID')
    }
    const ok = await server.client.data.addScope({ name: 'user.leftover' })
    assert.equal(ok.name, 'user.leftover')
  })

  it('fails an upload into a missing scope before writing anything', async () => {
    const { ctx } = fixture()
    const endpoint = await storage.add(ctx, { site: 'leftovers' })
    const dir = storage.dirOf(endpoint)
    await rejectsWith(
      uploadFile(
        ctx,
        new ProtocolRegistry(),
        { scope: 'nosuchscope', name: 'f1', to: endpoint.name },
        bytesOf(randomData(1000)),
      ),
      'SCOPE_NOT_FOUND',
    )
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no folder was made')
  })
})
