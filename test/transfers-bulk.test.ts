/**
 * Bulk submission: a rule on a 20,000-file dataset becomes 20,000 transfer requests in a
 * bounded number of statements (at most eight a page of files), none of which returns more than one page of rows, so the
 * rule engine never holds the dataset in memory (the 100k run is in bench/transfer-scheduler.ts).
 * The scheduler then claims from the huge queue with a bounded number of statements too.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { KyselyPlugin } from 'kysely'
import {
  addDid,
  addRule,
  addScope,
  attachDids,
  listRuleLocks,
  placementPageSize,
  registerReplicas,
} from '../src/data/index.js'
import { chooseTransfers, claimTransfers, getTransferStats } from '../src/transfers/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { tempStorage } from './support/posix-endpoints.js'

/** Counts statements and the largest result a single statement returned. */
function meter() {
  const m = { statements: 0, maxRows: 0 }
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      m.statements++
      return args.node
    },
    transformResult(args) {
      m.maxRows = Math.max(m.maxRows, args.result.rows.length)
      return Promise.resolve(args.result)
    },
  }
  return { m, plugin }
}

const files = 20_000

describeEachBackend('bulk transfer submission', (fixture) => {
  it(`turns a rule on ${files} files into ${files} requests, a page at a time`, async () => {
    const { ctx } = fixture()
    const storage = tempStorage()
    try {
      const src = await storage.add(ctx, { site: 'A' })
      const dst = await storage.add(ctx, { site: 'B' })
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      await addDid(ctx, { scope, name: 'big', type: 'dataset' })
      const names = Array.from({ length: files }, (_, i) => `f${String(i).padStart(6, '0')}`)
      for (let i = 0; i < files; i += 10_000) {
        await registerReplicas(ctx, {
          endpoint: src.name,
          replicas: names
            .slice(i, i + 10_000)
            .map((name) => ({ scope, name, bytes: 100, adler32: '0a0b0c0d' })),
        })
      }
      for (let i = 0; i < files; i += 1000) {
        await attachDids(
          ctx,
          { scope, name: 'big' },
          { children: names.slice(i, i + 1000).map((name) => ({ scope, name })) },
        )
      }

      const { m, plugin } = meter()
      const metered = { ...ctx, db: ctx.db.withPlugin(plugin) }
      const rule = await addRule(metered, { scope, name: 'big', copies: 1, expression: dst.name })
      assert.equal(rule.locksReplicating, files)
      const pages = Math.ceil(files / placementPageSize)
      // Per page: its files, their replicas, then replicas, requests (with links and queues) and
      // locks written; a new rule looks up no locks, and one group is summed in one statement.
      assert.ok(
        m.statements <= 20 + pages * 8,
        `${m.statements} statements for ${pages} pages of ${placementPageSize}`,
      )
      assert.ok(m.maxRows <= placementPageSize, `a statement returned ${m.maxRows} rows`)

      const link = (await getTransferStats(ctx)).links.find((l) => l.destination === dst.name)!
      assert.deepEqual([link.source, link.queued], [src.name, files])
      assert.equal((await listRuleLocks(ctx, rule.id)).length, files)

      // Claiming from the 20k queue: a handful of statements, one page of candidates.
      const claim = meter()
      const claimed = await claimTransfers({ ...ctx, db: ctx.db.withPlugin(claim.plugin) }, 'w', {
        leaseMs: 60_000,
        limit: 100,
        choose: chooseTransfers,
      })
      assert.equal(claimed.length, 8, "the new link's limit")
      assert.ok(claim.m.statements <= 12, `${claim.m.statements} statements to claim`)
      assert.ok(claim.m.maxRows <= 100)
    } finally {
      storage.cleanup()
    }
  })
})
