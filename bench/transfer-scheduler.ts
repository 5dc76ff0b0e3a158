/**
 * The transfer scheduler at scale, side by side with its physical limit on the same database:
 *
 * 1. Scheduling: N queued requests (default 1,000,000) over 100 links (10 sources × 10
 *    destinations, 3 communities × 3 activities each). Continuum's claim (lease expiry, per-link
 *    limits, per-queue probes, hierarchical fair share, events) versus a bare FIFO claim (one
 *    `UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT … FOR UPDATE SKIP LOCKED)`, no links, no
 *    shares, no events, ordered along its index). Claimed requests are completed between rounds (untimed) so links free up.
 * 2. Bulk submission: a rule on a dataset of M files (default 100,000) becoming M requests,
 *    versus one bare `INSERT … SELECT` of M rows, and versus the floor under any placement: bare
 *    `INSERT … SELECT`s of the three rows a file (replica, request, lock); the heap is sampled
 *    while the rule is placed.
 *
 *   CONTINUUM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --import tsx bench/transfer-scheduler.ts [--backend postgres|pglite] [--runs 3]
 *       [--only scheduling|submission] [--profile] [--setup-sql 'SQL'] [N] [M]
 *
 * Each side runs `--runs` times in alternating order from the same starting point (scheduling:
 * a fresh database filled alike; submission: what a run wrote is deleted and the tables
 * vacuumed, untimed) and medians are compared;
 * `--profile` places one more rule and prints the wall time of each kind of statement;
 * `--setup-sql` runs SQL once before the runs (experiments such as dropping a constraint).
 */
import { sql, type KyselyPlugin } from 'kysely'
import {
  addDid,
  addEndpoint,
  addRule,
  addScope,
  attachDids,
  registerReplicas,
} from '../src/data/index.js'
import type { Context } from '../src/db/index.js'
import { openTestDatabase, type TestDatabase } from '../src/db/testing.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { chooseTransfers, claimTransfers } from '../src/transfers/index.js'
import { alternate, median, type Trial } from './support/fair.js'

const args = process.argv.slice(2)
const backendAt = args.indexOf('--backend')
const backend = (backendAt >= 0 ? args.splice(backendAt, 2)[1] : 'postgres') as
  'postgres' | 'pglite'
function option(name: string): string | undefined {
  const at = args.indexOf(name)
  return at >= 0 ? args.splice(at, 2)[1] : undefined
}
const runs = Number(option('--runs') ?? 3)
const only = option('--only') as 'scheduling' | 'submission' | undefined
/** SQL run once after the dataset is made (experiments, e.g. without a constraint). */
const setupSql = option('--setup-sql')
const profileAt = args.indexOf('--profile')
const profile = profileAt >= 0 && args.splice(profileAt, 1).length > 0
const queued = Number(args[0] ?? 1_000_000)
const files = Number(args[1] ?? 100_000)
const round = 500
const rounds = 40

async function fill(db: TestDatabase): Promise<{ ctx: Context }> {
  const ctx = { db: db.db, clock: systemClock, actor: systemActor('bench') }
  const endpoints = []
  for (let i = 0; i < 20; i++) endpoints.push(await addEndpoint(ctx, { name: `BENCH_${i}` }))
  const sources = endpoints.slice(0, 10).map((e) => e.id)
  const dests = endpoints.slice(10).map((e) => e.id)
  const t0 = performance.now()
  // Request i: link i % 100, community (i / 100) % 3, activity (i / 300) % 3.
  await sql`
    insert into transfer_requests (id, scope, name, endpoint_id, source_endpoint_id, community, activity, bytes, not_before, created_at, updated_at)
    select gen_random_uuid(), 'bench', 'f' || g,
      (${dests}::uuid[])[1 + (g % 100) / 10], (${sources}::uuid[])[1 + g % 10],
      (array['atlas', 'cms', 'lhcb'])[1 + (g / 100) % 3], (array['T0 Export', 'Production', 'User Subscriptions'])[1 + (g / 300) % 3],
      1000, now() - interval '1 hour', now(), now()
    from generate_series(0, ${queued - 1}) g`.execute(db.db)
  await sql`
    insert into transfer_queues (source_endpoint_id, dest_endpoint_id, community, activity)
    select distinct source_endpoint_id, endpoint_id, community, activity from transfer_requests`.execute(
    db.db,
  )
  await sql`
    insert into transfer_links (source_endpoint_id, dest_endpoint_id, max_active, active_limit)
    select distinct source_endpoint_id, dest_endpoint_id, 50, 50 from transfer_queues`.execute(
    db.db,
  )
  await sql`analyze transfer_requests`.execute(db.db)
  console.log(
    `  filled ${queued} queued requests on 100 links in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
  return { ctx }
}

/** Completes what a round claimed (untimed): the links get their slots back. */
async function complete(db: TestDatabase, ids: string[]): Promise<void> {
  await sql`update transfer_requests set state = 'done', claimed_by = null, claimed_until = null where id = any(${ids}::uuid[])`.execute(
    db.db,
  )
}

async function timeRounds(
  db: TestDatabase,
  claim: () => Promise<string[]>,
): Promise<{ rate: number; perRound: number }> {
  let claimed = 0
  let ms = 0
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    const ids = await claim()
    ms += performance.now() - t0
    claimed += ids.length
    await complete(db, ids)
  }
  return { rate: claimed / (ms / 1000), perRound: claimed / rounds }
}

/** One scheduling run of one side, on a database of its own filled the same way (untimed). */
async function schedulingRun(
  side: 'continuum' | 'bare',
): Promise<{ rate: number; perRound: number }> {
  const db = await openTestDatabase(backend)
  try {
    const { ctx } = await fill(db)
    if (side === 'continuum') {
      return await timeRounds(db, () =>
        claimTransfers(ctx, 'bench', { leaseMs: 60_000, limit: round, choose: chooseTransfers }),
      )
    }
    return await timeRounds(db, async () => {
      const r = await sql<{ id: string }>`
        update transfer_requests set state = 'submitted', claimed_by = 'bare', claimed_until = now() + interval '1 minute', attempts = attempts + 1
        where id in (select id from transfer_requests where state = 'queued' and not_before <= now()
                     order by not_before limit ${round} for update skip locked)
        returning id`.execute(db.db)
      return r.rows.map((x) => x.id)
    })
  } finally {
    await db.close()
  }
}

async function scheduling(): Promise<void> {
  console.log(
    `scheduling: ${queued} queued, 100 links, rounds of ${round} (${backend}), ${runs} runs each`,
  )
  // Each run starts from a fresh database filled alike; the sides alternate; medians compared.
  const trials: Trial<{ rate: number; perRound: number }>[] = [
    { name: 'continuum claim', run: () => schedulingRun('continuum') },
    { name: 'bare FIFO claim', run: () => schedulingRun('bare') },
  ]
  const all = await alternate(
    trials,
    runs,
    (r) => `${r.rate.toFixed(0)} requests/s (${r.perRound} per round)`,
  )
  const ours = median((all.get('continuum claim') ?? []).map((r) => r.rate))
  const bare = median((all.get('bare FIFO claim') ?? []).map((r) => r.rate))
  console.log(`  continuum claim (links, shares, events): ${ours.toFixed(0)} requests/s (median)`)
  console.log(`  bare FIFO claim (physical limit):        ${bare.toFixed(0)} requests/s (median)`)
  console.log(`  ratio: ${((100 * ours) / bare).toFixed(1)} % of the bare claim`)
}

/** A statement's kind for the profile: raw SQL's text, or a built query's kind and table. */
function describeNode(node: unknown): string {
  const n = node as { kind: string; sqlFragments?: readonly string[] }
  if (n.kind === 'RawNode') return (n.sqlFragments ?? []).join('?').trim()
  const tables =
    JSON.stringify(node).match(/"identifier":\{"kind":"IdentifierNode","name":"([a-z_]+)"/g) ?? []
  const names = tables.map((t) => t.replace(/.*"name":"/, '').replace('"', ''))
  return `${n.kind} ${[...new Set(names)].join(', ')}`
}

/** Per-statement wall time while a rule is placed (`--profile`): where the time goes. */
function statementProfile() {
  const started = new Map<unknown, { sql: string; t0: number }>()
  const totals = new Map<string, { n: number; ms: number }>()
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      started.set(args.queryId, { sql: describeNode(args.node), t0: performance.now() })
      return args.node
    },
    transformResult(args) {
      const s = started.get(args.queryId)
      if (s) {
        const key = s.sql
        const t = totals.get(key) ?? { n: 0, ms: 0 }
        t.n++
        t.ms += performance.now() - s.t0
        totals.set(key, t)
        started.delete(args.queryId)
      }
      return Promise.resolve(args.result)
    },
  }
  return { plugin, totals, started }
}

async function submission(): Promise<void> {
  console.log(`bulk submission: a rule on a ${files}-file dataset (${backend}), ${runs} runs each`)
  const db = await openTestDatabase(backend)
  try {
    const ctx = { db: db.db, clock: systemClock, actor: systemActor('bench') }
    const src = await addEndpoint(ctx, { name: 'BENCH_SRC' })
    const dst = await addEndpoint(ctx, { name: 'BENCH_DST' })
    await addScope(ctx, { name: 'bench' })
    await addDid(ctx, { scope: 'bench', name: 'big', type: 'dataset' })
    const names = Array.from({ length: files }, (_, i) => `f${String(i).padStart(7, '0')}`)
    for (let i = 0; i < files; i += 10_000) {
      await registerReplicas(ctx, {
        endpoint: src.name,
        replicas: names
          .slice(i, i + 10_000)
          .map((name) => ({ scope: 'bench', name, bytes: 1000, adler32: '0a0b0c0d' })),
      })
    }
    for (let i = 0; i < files; i += 1000) {
      await attachDids(
        ctx,
        { scope: 'bench', name: 'big' },
        { children: names.slice(i, i + 1000).map((name) => ({ scope: 'bench', name })) },
      )
    }
    names.length = 0
    if (setupSql !== undefined) {
      console.log(`  experiment: ${setupSql}`)
      await sql.raw(setupSql).execute(db.db)
    }
    // The same starting point for every run: what a run wrote is deleted (untimed) and the
    // tables it wrote are vacuumed and analysed before the next run.
    const reset = async (): Promise<void> => {
      await sql`delete from data_locks`.execute(db.db)
      await sql`delete from data_rules`.execute(db.db)
      await sql`delete from data_replicas where endpoint_id = ${dst.id}`.execute(db.db)
      await sql`delete from transfer_requests`.execute(db.db)
      await sql`delete from transfer_queues`.execute(db.db)
      await sql`delete from transfer_links`.execute(db.db)
      for (const table of ['data_locks', 'data_rules', 'data_replicas', 'transfer_requests']) {
        await sql`vacuum analyze ${sql.table(table)}`.execute(db.db)
      }
    }
    await reset()
    let heapGrowth = 0
    const trials: Trial<number>[] = [
      {
        name: 'continuum rule',
        run: async () => {
          global.gc?.()
          const heap0 = process.memoryUsage().heapUsed
          let heapMax = heap0
          const sampler = setInterval(
            () => (heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)),
            20,
          )
          const t0 = performance.now()
          await addRule(ctx, { scope: 'bench', name: 'big', copies: 1, expression: dst.name })
          const ms = performance.now() - t0
          clearInterval(sampler)
          heapGrowth = Math.max(heapGrowth, heapMax - heap0)
          await reset()
          return ms
        },
      },
      {
        name: 'bare insert',
        run: async () => {
          const t0 = performance.now()
          await sql`
            insert into transfer_requests (id, scope, name, endpoint_id, source_endpoint_id, community, activity, bytes, not_before, created_at, updated_at)
            select gen_random_uuid(), 'bare', 'f' || g, ${dst.id}::uuid, ${src.id}::uuid, 'root', 'default', 1000, now(), now(), now()
            from generate_series(1, ${files}) g`.execute(db.db)
          const ms = performance.now() - t0
          await reset()
          return ms
        },
      },
    ]
    // The floor under any placement: the same three rows a file (replica, request, lock) written
    // by bare INSERT … SELECT, no reads, no choices (the lock needs a rule row: made untimed).
    trials.push({
      name: 'bare three rows',
      run: async () => {
        const rule = (
          await sql<{ id: string }>`
            insert into data_rules (id, scope, name, account, copies, expression)
            values (gen_random_uuid(), 'bench', 'big', 'root', 1, 'BENCH_DST') returning id`.execute(
            db.db,
          )
        ).rows[0]!.id
        const file = sql`'f' || lpad(g::text, 7, '0')`
        const t0 = performance.now()
        await db.db.transaction().execute(async (tx) => {
          await sql`
            insert into data_replicas (scope, name, endpoint_id, state, bytes, adler32, path, lock_count, created_at, updated_at)
            select 'bench', ${file}, ${dst.id}::uuid, 'copying', 1000, '0a0b0c0d', 'bench/' || ${file}, 1, now(), now()
            from generate_series(0, ${files - 1}) g`.execute(tx)
          await sql`
            insert into transfer_requests (id, scope, name, endpoint_id, source_endpoint_id, community, activity, bytes, not_before, created_at, updated_at)
            select gen_random_uuid(), 'bench', ${file}, ${dst.id}::uuid, ${src.id}::uuid, 'root', 'default', 1000, now(), now(), now()
            from generate_series(0, ${files - 1}) g`.execute(tx)
          await sql`
            insert into data_locks (rule_id, scope, name, endpoint_id, state, bytes, created_at, updated_at)
            select ${rule}::uuid, 'bench', ${file}, ${dst.id}::uuid, 'replicating', 1000, now(), now()
            from generate_series(0, ${files - 1}) g`.execute(tx)
        })
        const ms = performance.now() - t0
        await reset()
        return ms
      },
    })
    const all = await alternate(
      trials,
      runs,
      (ms) => `${((files / ms) * 1000).toFixed(0).padStart(7)}/s (${(ms / 1000).toFixed(2)} s)`,
    )
    const ours = median(all.get('continuum rule') ?? [])
    const bare = median(all.get('bare insert') ?? [])
    console.log(
      `  continuum rule → requests (locks, replicas, requests, queues): ${((files / ours) * 1000).toFixed(0)} files/s (median ${(ours / 1000).toFixed(2)} s)`,
    )
    console.log(
      `  bare INSERT … SELECT of the requests alone:                 ${((files / bare) * 1000).toFixed(0)} rows/s (median ${(bare / 1000).toFixed(2)} s)`,
    )
    const three = median(all.get('bare three rows') ?? [])
    console.log(
      `  bare INSERT … SELECT of the three rows a file (floor):       ${((files / three) * 1000).toFixed(0)} files/s (median ${(three / 1000).toFixed(2)} s)`,
    )
    console.log(`  ratio of medians: ${((100 * bare) / ours).toFixed(1)} % of the bare insert rate`)
    console.log(
      `  the floor's own ratio: ${((100 * bare) / three).toFixed(1)} % (Continuum reaches ${((100 * three) / ours).toFixed(1)} % of the floor)`,
    )
    console.log(
      `  heap growth while placing: ${(heapGrowth / 1e6).toFixed(1)} MB peak (${(heapGrowth / files).toFixed(0)} B per file)`,
    )
    if (profile) {
      const p = statementProfile()
      const t0 = performance.now()
      await addRule(
        { ...ctx, db: ctx.db.withPlugin(p.plugin) },
        { scope: 'bench', name: 'big', copies: 1, expression: dst.name },
      )
      const total = performance.now() - t0
      console.log(`  profile (one more rule, ${(total / 1000).toFixed(2)} s): statements by kind`)
      const rows = [...p.totals].sort((x, y) => y[1].ms - x[1].ms)
      for (const [text, t] of rows) {
        console.log(
          `    ${t.ms.toFixed(0).padStart(6)} ms ${String(t.n).padStart(4)}×  ${text.replace(/\s+/g, ' ').slice(0, 110)}`,
        )
      }
      await reset()
    }
  } finally {
    await db.close()
  }
}

if (only !== 'submission') await scheduling()
if (only !== 'scheduling') await submission()
