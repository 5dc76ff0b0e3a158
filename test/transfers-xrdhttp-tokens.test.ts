/**
 * Transfer tokens against storage that checks them: XrdHttp with the SciTokens plug-in, trusting
 * the built-in issuer (see test/support/xrdhttp-tokens.ts). The scopes a transfer carries must be
 * enough for the whole verified copy — PUT, the HEAD that verifies it, the DELETE that removes a
 * bad one — and nothing the token does not name may pass: no token, another path, another
 * audience, an expired token, a token signed with another key. root:// and roots:// present the
 * token by ztn and are checked the same way.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { BuiltInIssuer } from '../src/auth/index.js'
import { addRule, addScope, deterministicPath, getRule } from '../src/data/index.js'
import { systemClock } from '../src/platform/index.js'
import {
  copyVerified,
  digestOf,
  mintTransferToken,
  PosixProtocol,
  ProtocolRegistry,
  TransferAgent,
  uploadFile,
  XrootdProtocol,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueEndpointName, uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startXrdHttp, xrdhttpSkipReason, type XrdHttpServer } from './support/xrdhttp.js'
import { addDoorEndpoint, CountingWebdav } from './support/xrdhttp-endpoints.js'
import { xrdhttpTokensSkipReason } from './support/xrdhttp-tokens.js'
import { filesUnder } from './support/xrootd.js'

const skip = xrdhttpSkipReason() || xrdhttpTokensSkipReason()

const ISSUER = 'https://issuer.continuum.test'
const ENDPOINT = 'XRDHTTP_TOKENS'

describe('transfer tokens against XrdHttp that checks them', { skip }, () => {
  let issuer: BuiltInIssuer
  let door: XrdHttpServer
  let storage: TempStorage
  const registry = new ProtocolRegistry()
  const data = randomData(200_000)
  let src: string

  before(async () => {
    issuer = await BuiltInIssuer.create({ url: ISSUER, clock: systemClock, audience: 'continuum' })
    door = await startXrdHttp({
      tokens: { issuer: ISSUER, jwks: issuer.jwks(), audience: ENDPOINT, basePath: '/cms' },
    })
    storage = tempStorage()
    src = pathToFileURL(path.join(storage.root, 'src.bin')).href
    await new PosixProtocol().write(src, bytesOf(data))
  })
  after(async () => {
    await door?.stop()
    storage?.cleanup()
  })

  /** A transfer's token between this worker's disk and the door, for one path. */
  const transferToken = (path: string, direction: 'up' | 'down') => {
    const local = { endpoint: 'LOCAL_DISK', path }
    const remote = { endpoint: ENDPOINT, path }
    return mintTransferToken(issuer, {
      transferId: `t-${path}`,
      source: direction === 'up' ? local : remote,
      destination: direction === 'up' ? remote : local,
    })
  }

  it('a transfer token uploads, is verified by the endpoint, and downloads again', async () => {
    const expected = await digestOf(bytesOf(data))
    const url = `${door.httpUrl}/cms/run1/f.bin`
    const up = await copyVerified(registry, src, url, expected, {
      token: await transferToken('run1/f.bin', 'up'),
    })
    assert.equal(up.verifiedBy, 'endpoint')
    assert.deepEqual(readFileSync(path.join(door.data, 'cms', 'run1', 'f.bin')), data)
    const back = pathToFileURL(path.join(storage.root, 'back.bin')).href
    const down = await copyVerified(registry, url, back, expected, {
      token: await transferToken('run1/f.bin', 'down'),
    })
    assert.deepEqual({ bytes: down.bytes, adler32: down.adler32 }, expected)
  })

  it('refuses a missing, misdirected, expired or forged token, and nothing is written', async () => {
    // An empty file: XrdHttp refuses after the headers and closes the connection, and body bytes
    // it never read would make the kernel answer with a reset that can overtake its 403 (then
    // the copy fails as a network fault, retried, rather than as a refusal: see the note on
    // WebdavProtocol.send). What is tested here is what the server refuses.
    const empty = pathToFileURL(path.join(storage.root, 'empty.bin')).href
    await new PosixProtocol().write(empty, bytesOf(new Uint8Array(0)))
    const expected = { bytes: 0, adler32: '00000001' }
    const url = `${door.httpUrl}/cms/run2/g.bin`
    const scope = 'storage.read:/run2/g.bin storage.modify:/run2/g.bin'
    const forger = await BuiltInIssuer.create({
      url: ISSUER,
      clock: systemClock,
      audience: 'continuum',
    })
    const refused = {
      none: undefined,
      'another path': await issuer.mint({
        sub: 't',
        scope: 'storage.read:/run2/x storage.modify:/run2/x',
        aud: ENDPOINT,
      }),
      'another audience': await issuer.mint({ sub: 't', scope, aud: 'ANOTHER_SITE' }),
      expired: await issuer.mint({ sub: 't', scope, aud: ENDPOINT, expiresIn: -120 }),
      'signed with another key': await forger.mint({ sub: 't', scope, aud: ENDPOINT }),
    }
    for (const [what, token] of Object.entries(refused)) {
      // XrdHttp may answer 423 Locked while it still closes the file a refused request touched
      // (seen under load): that is the server being busy, not an answer about the token.
      for (let attempt = 1; ; attempt++) {
        const outcome = await rejectsWith(
          copyVerified(registry, empty, url, expected, { token }),
          'STORAGE_PERMISSION_DENIED',
        ).then(
          () => null,
          (err: unknown) => (err instanceof Error ? err.message : JSON.stringify(err)),
        )
        if (outcome === null) break
        if (attempt < 5 && /HTTP 423/.test(outcome)) {
          await new Promise((r) => setTimeout(r, 200 * attempt))
          continue
        }
        throw new Error(`${what}: ${outcome}`)
      }
    }
    assert.deepEqual(filesUnder(path.join(door.data, 'cms')), ['run1/f.bin'])
  })

  it('the same token works over root:// and roots:// (ztn); without one, nothing is written', async () => {
    const expected = await digestOf(bytesOf(data))
    const xrd = new ProtocolRegistry([
      new PosixProtocol(),
      new XrootdProtocol({ certDir: door.caDir, connectSeconds: 3 }),
    ])
    for (const [i, base] of [door.rootUrl, door.rootsUrl].entries()) {
      const token = await transferToken(`run4/x${i}.bin`, 'up')
      const up = await copyVerified(xrd, src, `${base}//cms/run4/x${i}.bin`, expected, { token })
      assert.equal(up.verifiedBy, 'endpoint')
    }
    await rejectsWith(
      copyVerified(xrd, src, `${door.rootsUrl}//cms/run4/none.bin`, expected),
      'STORAGE_PERMISSION_DENIED',
    )
    const other = await transferToken('run4/x0.bin', 'up')
    await rejectsWith(
      copyVerified(xrd, src, `${door.rootsUrl}//cms/run4/other.bin`, expected, { token: other }),
      'STORAGE_PERMISSION_DENIED',
    )
    assert.deepEqual(filesUnder(path.join(door.data, 'cms', 'run4')), ['x0.bin', 'x1.bin'])
  })

  it('storage.create alone cannot verify a copy: the server refuses the HEAD', async () => {
    const expected = await digestOf(bytesOf(data))
    const token = await issuer.mint({
      sub: 't',
      scope: 'storage.create:/run3/h.bin',
      aud: ENDPOINT,
    })
    await rejectsWith(
      copyVerified(registry, src, `${door.httpUrl}/cms/run3/h.bin`, expected, { token }),
      'STORAGE_PERMISSION_DENIED',
      'HEAD',
    )
  })
})

describeEachBackend('rules onto XrdHttp that checks tokens', (fixture) => {
  let issuer: BuiltInIssuer
  let doors: XrdHttpServer[] = []
  let storage: TempStorage
  const names = [uniqueEndpointName(), uniqueEndpointName()]
  before(async () => {
    if (skip) return
    issuer = await BuiltInIssuer.create({ url: ISSUER, clock: systemClock, audience: 'continuum' })
    doors = await Promise.all(
      names.map((audience) =>
        startXrdHttp({
          tokens: { issuer: ISSUER, jwks: issuer.jwks(), audience, basePath: '/atlas' },
        }),
      ),
    )
    storage = tempStorage()
  })
  after(async () => {
    await Promise.all(doors.map((door) => door.stop()))
    storage?.cleanup()
  })

  it(
    'the agent uploads and copies door to door with the narrow tokens it mints',
    { skip },
    async () => {
      const { ctx } = fixture()
      const posix = await storage.add(ctx, { country: 'CH', type: 'disk' })
      for (const [i, door] of doors.entries()) {
        await addDoorEndpoint(ctx, door, {
          name: names[i]!,
          country: i === 0 ? 'FR' : 'DE',
          folder: 'atlas',
        })
      }
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      const data = randomData(150_000)
      const registry = new ProtocolRegistry([
        new PosixProtocol(),
        new CountingWebdav({ ca: readFileSync(doors[0]!.caFile, 'utf8') }),
      ])
      await uploadFile(ctx, registry, { scope, name: 'hits.root', to: posix.name }, bytesOf(data))
      const agent = new TransferAgent(ctx, { workerId: 'w', registry, tokens: issuer })
      const up = await addRule(ctx, { scope, name: 'hits.root', copies: 1, expression: names[0]! })
      assert.equal(await agent.runOnce(), 1)
      assert.equal((await getRule(ctx, up.id)).state, 'ok')
      // Door to door.
      const across = await addRule(ctx, {
        scope,
        name: 'hits.root',
        copies: 1,
        expression: names[1]!,
        sourceExpression: names[0]!,
      })
      assert.equal(await agent.runOnce(), 1)
      assert.equal((await getRule(ctx, across.id)).state, 'ok')
      // The file-scoped token may not make the folder (MKCOL 403) and XrdHttp's COPY does not
      // make it either: the worker streamed this one instead of failing.
      assert.equal(CountingWebdav.tpcDone, 0)
      for (const door of doors) {
        const stored = path.join(
          door.data,
          'atlas',
          deterministicPath({ scope, name: 'hits.root' }),
        )
        assert.deepEqual(readFileSync(stored), data)
      }
    },
  )
})
