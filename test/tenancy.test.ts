/**
 * Tenancy for real: each case that was seen on the demo — members unable to use their own
 * community, use cases running as `root`, workflows charged to a community the submitter is not
 * in, the issuer copying any requested scope, other communities' items readable, and the WLCG
 * profile's gaps — done as the users would, through the API, on both backends.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { Endpoint } from '../src/contract/index.js'
import { ContinuumClient } from '../src/client/index.js'
import { digestOf } from '../src/transfers/index.js'
import { WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { makeCommunity } from './support/factories.js'
import { bytesOf, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'
import { makeLocalSite } from './support/workflows.js'

describeEachBackend('tenancy', (fixture) => {
  let server: TestServer
  let admin: ContinuumClient
  let atlas: ContinuumClient
  let lofar: ContinuumClient
  let storage: TempStorage
  let endpoint: Endpoint
  let site: string
  const bytes = Buffer.from('lofar visibilities\n')

  before(async () => {
    server = await startTestServer(fixture().database, {
      issuer: { demoUsers: { 'atlas-user': ['/atlas'], 'lofar-user': ['/lofar'] } },
    })
    admin = server.client
    for (const name of ['atlas', 'lofar']) {
      await admin.catalog.addCommunity(makeCommunity({ name }))
    }
    storage = tempStorage()
    endpoint = await storage.add(fixture().ctx, { country: 'NL' })
    site = (await makeLocalSite(fixture().ctx)).name
    await admin.data.addScope({ name: 'atlas', community: 'atlas' })
    await admin.data.addScope({ name: 'lofar', community: 'lofar' })
    atlas = await server.clientAs({ sub: 'atlas-user', groups: ['/atlas'] })
    lofar = await server.clientAs({ sub: 'lofar-user', groups: ['/lofar'] })
  })
  after(async () => {
    await server?.close()
    storage?.cleanup()
  })

  it("lets a member upload, download, add rules and see their community's items", async () => {
    const did = { scope: 'lofar', name: 'L2026.MS' }
    const replica = await lofar.data.upload(did, bytes, { to: endpoint.name, bytes: bytes.length })
    assert.equal(replica.adler32, (await digestOf(bytesOf(bytes))).adler32)
    const file = await lofar.data.getDid(did)
    assert.equal(file.account, 'lofar-user', 'created as the caller, not root')
    assert.match(file.createdBy ?? '', /#lofar-user$/)
    const got = await lofar.data.download(did)
    assert.equal(Buffer.from(await got.response.arrayBuffer()).toString(), bytes.toString())
    const rule = await lofar.data.addRule({ ...did, copies: 1, expression: endpoint.name })
    assert.equal(rule.account, 'lofar', "charged to the scope's community by default")
    assert.equal(rule.community, 'lofar')
    assert.match(rule.createdBy ?? '', /#lofar-user$/)
    assert.ok((await lofar.data.listRules()).some((r) => r.id === rule.id))
    assert.deepEqual(
      (await lofar.data.listScopes()).map((s) => s.name),
      ['lofar'],
    )
  })

  it("hides another community's items: lists leave them out, reads answer not found", async () => {
    const did = { scope: 'lofar', name: 'private.MS' }
    await lofar.data.upload(did, bytes, { to: endpoint.name, bytes: bytes.length })
    const rule = await lofar.data.addRule({ ...did, copies: 1, expression: endpoint.name })
    assert.deepEqual(
      (await atlas.data.listScopes()).map((s) => s.name),
      ['atlas'],
    )
    await rejectsWith(atlas.data.getDid(did), 'DID_NOT_FOUND')
    await rejectsWith(atlas.data.getDid({ scope: 'lofar', name: 'no-such-file' }), 'DID_NOT_FOUND')
    await rejectsWith(atlas.data.listReplicas(did), 'DID_NOT_FOUND')
    await rejectsWith(atlas.data.listDids({ scope: 'lofar' }), 'SCOPE_NOT_FOUND')
    await rejectsWith(atlas.data.updateDid(did, { meta: { x: 1 } }), 'DID_NOT_FOUND')
    await rejectsWith(atlas.data.download(did), 'DID_NOT_FOUND')
    await rejectsWith(
      atlas.data.upload({ scope: 'lofar', name: 'intruder' }, bytes, { to: endpoint.name }),
      'SCOPE_NOT_FOUND',
    )
    await rejectsWith(atlas.data.getRule(rule.id), 'RULE_NOT_FOUND')
    await rejectsWith(atlas.data.deleteRule(rule.id), 'RULE_NOT_FOUND')
    assert.deepEqual(await atlas.data.listRules(), [])
    assert.deepEqual(await atlas.transfers.list(), [])
    // Admins see everything.
    assert.ok((await admin.data.listRules()).some((r) => r.id === rule.id))
  })

  it('refuses a rule charged to an account the caller may not use, and quotas bind everyone', async () => {
    const did = { scope: 'lofar', name: 'quota.MS' }
    await lofar.data.upload(did, bytes, { to: endpoint.name, bytes: bytes.length })
    for (const account of ['root', 'atlas', 'someone-else']) {
      await rejectsWith(
        lofar.data.addRule({ ...did, copies: 1, expression: endpoint.name, account }),
        'POLICY_DENIED',
      )
    }
    const own = await lofar.data.addRule({
      ...did,
      copies: 1,
      expression: endpoint.name,
      account: 'lofar-user',
    })
    assert.equal(own.account, 'lofar-user')
    const denied = await admin.audit.list({ decision: 'deny', action: 'data.account.use' })
    assert.ok(
      denied.items.some((e) => e.resource.includes('root')),
      'the refusal is audited',
    )
    // A quota on the endpoint makes it quota-managed: an account without one there gets nothing,
    // root included.
    const other = await storage.add(fixture().ctx, { country: 'DE' })
    await admin.data.setQuota({ owner: 'lofar', endpoint: other.name, bytes: 1 })
    await rejectsWith(
      lofar.data.addRule({ ...did, copies: 1, expression: other.name }),
      'QUOTA_EXCEEDED',
    )
    await rejectsWith(
      admin.data.addRule({ ...did, copies: 1, expression: other.name, account: 'root' }),
      'QUOTA_EXCEEDED',
    )
  })

  it("runs a member's workflow for their community, charges them, and refuses another community", async () => {
    const source = (community: string) =>
      `name: hello\ncommunity: ${community}\ndefaults: { site: ${site} }\ntasks:\n  - { name: greet, command: [echo, hi] }\n`
    await rejectsWith(atlas.workflows.submit({ source: source('lofar') }), 'POLICY_DENIED')
    const w = await lofar.workflows.submit({ source: source('lofar') })
    assert.equal(w.community, 'lofar')
    // Without `community:`, a member of one community runs for it.
    const implicit = await lofar.workflows.submit({
      source: `name: implicit\ndefaults: { site: ${site} }\ntasks:\n  - { name: t, command: ['true'] }\n`,
      dryRun: true,
    })
    assert.equal(implicit.community, 'lofar')
    const engine = new WorkflowEngine(
      { ...fixture().ctx, clock: { now: () => new Date() } },
      { workerId: 'tenancy' },
    )
    for (let i = 0; i < 2000; i++) {
      const handled = await engine.runOnce()
      if ((await lofar.workflows.get(w.id)).state === 'succeeded') break
      if (handled === 0) await new Promise((r) => setTimeout(r, 10))
    }
    assert.equal((await lofar.workflows.get(w.id)).state, 'succeeded')
    assert.equal((await lofar.workflows.logs(w.id, 'greet')).stdout, 'hi\n')
    const rows = await fixture()
      .database.db.selectFrom('usage_records')
      .select(['community', 'owner'])
      .where('workflow_id', '=', w.id)
      .execute()
    assert.deepEqual(rows, [{ community: 'lofar', owner: `${server.issuer?.url}#lofar-user` }])
    assert.equal((await lofar.workflows.usage()).rows.find((r) => r.key === 'lofar')?.tasks, 1)
    assert.deepEqual((await atlas.workflows.usage()).rows, [], "lofar's usage is not atlas's")
    assert.deepEqual((await atlas.workflows.list()).items, [])
    await rejectsWith(atlas.workflows.get(w.id), 'WORKFLOW_NOT_FOUND')
    await rejectsWith(atlas.workflows.logs(w.id, 'greet'), 'WORKFLOW_NOT_FOUND')
    await rejectsWith(atlas.workflows.explain(w.id, 'greet'), 'WORKFLOW_NOT_FOUND')
    await rejectsWith(atlas.workflows.cancel(w.id), 'WORKFLOW_NOT_FOUND')
    // Reading or writing another community's scope from a workflow is refused up front.
    await rejectsWith(
      atlas.workflows.submit({
        source: `name: steal\ncommunity: atlas\ntasks:\n  - { name: t, inputs: ['did:lofar:L2026.MS'], command: ['true'] }\n`,
      }),
      'SCOPE_NOT_FOUND',
    )
  })

  it('grants from the issuer only what policy allows, and says what it granted', async () => {
    const asked =
      'openid storage.read:/ storage.modify:/ storage.read:/atlas storage.modify:/lofar compute.create compute.cancel'
    const granted = await deviceToken('atlas-user', asked)
    assert.equal(granted.scope, 'openid storage.read:/atlas compute.create compute.cancel')
    const me = new ContinuumClient({ server: server.url, token: granted.access_token })
    const who = await me.http.request<{ scopes: string[] }>('GET', '/auth/me')
    assert.deepEqual(who.scopes, ['storage.read:/atlas', 'compute.create', 'compute.cancel'])
  })

  it('rejects a token whose capability scope is malformed, with the reason', async () => {
    for (const scope of ['storage.read', 'storage.read:/lofar/../atlas', 'storage.read:/%2e%2e']) {
      const bad = await server.clientAs({ sub: 'lofar-user', groups: ['/lofar'], scope })
      await rejectsWith(bad.data.listScopes(), 'UNAUTHENTICATED')
    }
  })

  it('lets create scopes read metadata, keeps capability tokens in their communities, and revocation stops them', async () => {
    const did = { scope: 'lofar', name: 'meta.MS' }
    await lofar.data.upload(did, bytes, { to: endpoint.name, bytes: bytes.length })
    const creator = await server.clientAs({
      sub: 'lofar-writer',
      groups: ['/lofar'],
      scope: 'storage.create:/lofar',
    })
    assert.equal((await creator.data.getDid(did)).name, 'meta.MS', 'create includes stat')
    await rejectsWith(creator.data.download(did), 'POLICY_DENIED')
    const broad = await server.clientAs({
      sub: 'atlas-user',
      groups: ['/atlas'],
      scope: 'storage.read:/ storage.modify:/',
    })
    await rejectsWith(broad.data.getDid(did), 'DID_NOT_FOUND')
    const reader = await server.clientAs({
      sub: 'leaver',
      groups: ['/lofar'],
      scope: 'storage.read:/lofar',
    })
    assert.equal((await reader.data.getDid(did)).name, 'meta.MS')
    await admin.auth.revoke({
      issuer: server.issuer?.url ?? '',
      subject: 'leaver',
      community: 'lofar',
    })
    await rejectsWith(reader.data.getDid(did), 'DID_NOT_FOUND')
  })

  it('opens a public scope for reading to everyone, and only for reading', async () => {
    await admin.data.addScope({ name: 'opendata', community: 'lofar', public: true })
    const did = { scope: 'opendata', name: 'sky.fits' }
    await lofar.data.upload(did, bytes, { to: endpoint.name, bytes: bytes.length })
    assert.ok((await atlas.data.listScopes()).some((s) => s.name === 'opendata' && s.public))
    assert.equal((await atlas.data.getDid(did)).name, 'sky.fits')
    const got = await atlas.data.download(did)
    assert.equal(Buffer.from(await got.response.arrayBuffer()).toString(), bytes.toString())
    await rejectsWith(atlas.data.updateDid(did, { meta: { x: 1 } }), 'POLICY_DENIED')
    await rejectsWith(
      atlas.data.upload({ scope: 'opendata', name: 'x' }, bytes, { to: endpoint.name }),
      'POLICY_DENIED',
    )
  })

  async function deviceToken(
    user: string,
    scope: string,
  ): Promise<{ access_token: string; scope: string }> {
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
    const start = (await (
      await fetch(
        `${server.url}/auth/device_authorization`,
        form({ client_id: 'continuum-cli', scope }),
      )
    ).json()) as { device_code: string; user_code: string }
    const approved = await fetch(
      `${server.url}/auth/device`,
      form({ user_code: start.user_code, user }),
    )
    assert.equal(approved.status, 200)
    const res = await fetch(
      `${server.url}/auth/token`,
      form({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: start.device_code,
      }),
    )
    assert.equal(res.status, 200)
    return (await res.json()) as { access_token: string; scope: string }
  }
})
