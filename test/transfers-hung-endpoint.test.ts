/**
 * A hung storage endpoint hurts only itself (issue 16): a destination whose writes never return
 * (as on a hung network mount) no longer holds its transfer "submitted" for ever; the attempt is
 * cancelled at its deadline and fails as a retryable `timeout`, while a transfer to a healthy
 * endpoint in the same round completes.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { addRule, addScope } from '../src/data/index.js'
import {
  PosixProtocol,
  ProtocolRegistry,
  TransferAgent,
  uploadFile,
} from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'

/** POSIX, except that writes under `hungDir` never finish unless cancelled. */
class HangingPosix extends PosixProtocol {
  cancelled = 0
  constructor(private readonly hungDir: () => string) {
    super()
  }
  private hang(signal: AbortSignal | undefined): Promise<never> {
    return new Promise((_, reject) =>
      signal?.addEventListener('abort', () => {
        this.cancelled++
        reject(signal.reason as Error)
      }),
    )
  }
  override async uploadFile(
    localPath: string,
    url: string,
    options: Parameters<PosixProtocol['uploadFile']>[2] = {},
  ): Promise<void> {
    if (url.includes(this.hungDir())) return this.hang(options.signal)
    return super.uploadFile(localPath, url, options)
  }
  override async write(
    url: string,
    source: AsyncIterable<Uint8Array>,
    options: Parameters<PosixProtocol['write']>[2] = {},
  ): Promise<void> {
    if (url.includes(this.hungDir())) return this.hang(options.signal)
    return super.write(url, source, options)
  }
}

describeEachBackend('hung storage endpoint', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage?.cleanup())

  it('fails the hung endpoint’s transfer as a timeout at its deadline; others finish', async () => {
    const { ctx } = fixture()
    const source = await storage.add(ctx, { site: 'src' })
    const hung = await storage.add(ctx, { site: 'hung' })
    const healthy = await storage.add(ctx, { site: 'healthy' })
    const protocol = new HangingPosix(() => storage.dirOf(hung))
    const registry = new ProtocolRegistry([protocol])
    const scope = uniqueScope()
    await addScope(ctx, { name: scope })
    await uploadFile(
      ctx,
      registry,
      { scope, name: 'f', to: source.name },
      bytesOf(randomData(5000)),
    )
    await addRule(ctx, { scope, name: 'f', copies: 1, expression: hung.name })
    await addRule(ctx, { scope, name: 'f', copies: 1, expression: healthy.name })
    // The deadline holds every copy, the healthy one's too: long enough for a 5 kB copy on a
    // loaded CI machine (300 ms was not, and the healthy copy timed out), short for the test.
    const agent = new TransferAgent(ctx, { workerId: 'hung-test', registry, deadlineMs: 2000 })
    const started = performance.now()
    let handled = 0
    for (let round = 0; round < 10 && handled < 2; round++) handled += await agent.runOnce()
    assert.ok(performance.now() - started < 10_000, 'the round ended instead of hanging')
    const rows = await ctx.db
      .selectFrom('transfer_requests as t')
      .innerJoin('storage_endpoints as e', 'e.id', 't.endpoint_id')
      .select(['e.name', 't.state', 't.failure_class', 't.last_error', 't.claimed_by'])
      .where('t.scope', '=', scope)
      .execute()
    const toHung = rows.find((r) => r.name === hung.name)
    const toHealthy = rows.find((r) => r.name === healthy.name)
    assert.equal(toHealthy?.state, 'done')
    assert.ok(toHung, 'a transfer to the hung endpoint exists')
    assert.notEqual(toHung.state, 'submitted', 'no longer held as active')
    assert.equal(toHung.failure_class, 'timeout')
    assert.match(toHung.last_error ?? '', /did not finish within/)
    assert.equal(toHung.claimed_by, null)
    assert.ok(protocol.cancelled >= 1, 'the hung operation was told to stop')
  })
})
