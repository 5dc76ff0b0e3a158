/**
 * The Slurm executor against a real single-node Slurm (started here in a temp folder), and a
 * workflow scattered across a local and a Slurm site. Skips locally without Slurm or root.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SlurmExecutor, type JobSpec } from '../src/executors/index.js'
import { newId } from '../src/platform/index.js'
import {
  explainTask,
  listTasks,
  putComputeSite,
  submitWorkflow,
  WorkflowEngine,
} from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { slurmSkipReason, startSlurm, type SlurmCluster } from './support/slurm.js'
import { makeLocalSite, runUntilFinished, tempDir } from './support/workflows.js'

const skip = slurmSkipReason()
let cluster: SlurmCluster | undefined

function job(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    attemptId: `${newId()}.1`,
    argv: ['sh', '-c', 'echo "out $0"; echo err >&2', "it's"],
    env: { GREETING: 'a b,c' },
    workdir: tempDir(),
    cores: 1,
    memoryMb: 100,
    walltimeS: 90,
    ...overrides,
  }
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('Slurm', { skip }, () => {
  before(async () => {
    cluster = await startSlurm()
  })
  after(() => cluster?.stop())

  describe('SlurmExecutor', () => {
    const executor = () =>
      new SlurmExecutor({
        root: tempDir('continuum-slurm-runs-'),
        env: cluster?.env ?? {},
        pollIntervalMs: 200,
      })

    it('submits with resources mapped, reports status in batches, captures output, and is idempotent', async () => {
      const ex = executor()
      const spec = job({ cores: 2, walltimeS: 150 })
      const { externalId } = await ex.submit(spec)
      assert.match(externalId, /^\d+$/)
      const info = execFileSync('scontrol', ['show', 'job', externalId], {
        env: { ...process.env, ...cluster?.env },
      }).toString()
      assert.match(info, /JobName=cx-/)
      assert.match(info, /NumCPUs=2/)
      assert.match(info, /TimeLimit=00:03:00/)
      assert.deepEqual(
        await ex.submit(spec),
        { externalId },
        'a second submit of the same attempt finds the job',
      )
      // A crash between sbatch and recording the id: the job is found by its name.
      rmSync(
        path.join(
          (ex as unknown as { options: { root: string } }).options.root,
          spec.attemptId,
          'jobid',
        ),
      )
      const again = await ex.submit(spec).catch(() => undefined)
      assert.ok(again === undefined || again.externalId === externalId)
      const status = await until(async () => {
        const s = (await ex.status([{ attemptId: spec.attemptId, externalId }])).get(spec.attemptId)
        return s && (s.state === 'done' || s.state === 'failed') ? s : undefined
      }, 'job end')
      assert.equal(status.state, 'done', JSON.stringify(status))
      assert.equal(status.exitCode, 0)
      const logs = await ex.logs({ attemptId: spec.attemptId, externalId })
      assert.equal(
        logs.stdout,
        "out it's\n",
        'argv reaches the command unchanged, no shell re-parsing',
      )
      assert.equal(logs.stderr, 'err\n')
    })

    it('polls one squeue for many jobs, and cancels by job name', async () => {
      const ex = executor()
      const specs = Array.from({ length: 6 }, () => job({ argv: ['sleep', '30'] }))
      const refs: Array<{ attemptId: string; externalId: string }> = []
      for (const s of specs) {
        refs.push({ attemptId: s.attemptId, externalId: (await ex.submit(s)).externalId })
      }
      const before = ex.calls
      const statuses = await ex.status(refs)
      assert.equal(ex.calls - before, 1, 'one squeue for six jobs')
      assert.ok([...statuses.values()].every((s) => s.state === 'queued' || s.state === 'running'))
      await ex.status(refs)
      assert.equal(ex.calls - before, 1, 'no second call within the poll interval')
      for (const r of refs) await ex.cancel(r)
      const ended = await until(async () => {
        await new Promise((r) => setTimeout(r, 250))
        const s = await ex.status(refs)
        return [...s.values()].every((x) => x.state === 'failed') ? s : undefined
      }, 'cancelled jobs')
      assert.match([...ended.values()][0]?.reason ?? '', /CANCELLED|signal/)
    })
  })

  describe('job arrays', () => {
    it('submits a scatter as one sbatch --array, polls it in one call, and cancels one element only', async () => {
      const ex = new SlurmExecutor({
        root: tempDir('continuum-slurm-runs-'),
        env: cluster?.env ?? {},
        pollIntervalMs: 200,
      })
      const workdir = tempDir()
      const specs = Array.from({ length: 5 }, (_, i) =>
        job({ workdir, argv: ['sh', '-c', `echo element ${i}`] }),
      )
      const sleeper = job({ workdir, argv: ['sleep', '30'] })
      const before = ex.calls
      const ids = await ex.submitMany([...specs, sleeper])
      assert.equal(ex.calls - before, 1, 'one sbatch for six jobs of the same shape')
      const arrayId = (ids.get(specs[0]!.attemptId) ?? '').split('_')[0]
      assert.match(arrayId ?? '', /^\d+$/)
      assert.deepEqual(
        [...specs, sleeper].map((s) => ids.get(s.attemptId)),
        [0, 1, 2, 3, 4, 5].map((i) => `${arrayId}_${i}`),
      )
      // Idempotent: an element submitted again is found, not run twice.
      assert.deepEqual(await ex.submit(specs[2]!), { externalId: `${arrayId}_2` })
      const refs = specs.map((s) => ({ attemptId: s.attemptId, externalId: ids.get(s.attemptId)! }))
      const sleeperRef = { attemptId: sleeper.attemptId, externalId: ids.get(sleeper.attemptId)! }
      await until(async () => {
        const st = await ex.status(refs)
        return [...st.values()].every((x) => x.state === 'done') ? st : undefined
      }, 'array elements done')
      for (const [i, s] of specs.entries()) {
        assert.equal(
          (await ex.logs({ attemptId: s.attemptId, externalId: null })).stdout,
          `element ${i}\n`,
        )
      }
      const polls = ex.calls
      await ex.status([...refs, sleeperRef])
      assert.ok(ex.calls - polls <= 1, 'status of the whole array in at most one squeue')
      await ex.cancel(sleeperRef)
      const cancelled = await until(async () => {
        await new Promise((r) => setTimeout(r, 250))
        const st = (await ex.status([sleeperRef])).get(sleeper.attemptId)
        return st?.state === 'failed' ? st : undefined
      }, 'cancelled element')
      assert.match(cancelled.reason ?? '', /CANCELLED|signal/)
      const after = await ex.status(refs)
      assert.ok(
        [...after.values()].every((x) => x.state === 'done'),
        'siblings unaffected',
      )
    })
  })

  describeEachBackend('a workflow across a local and a Slurm site', (fixture) => {
    it('scatters over both sites, records placements and usage, and finishes', async () => {
      const { ctx } = fixture()
      const local = (await makeLocalSite(ctx, { cores: 1, name: `local-${newId().slice(-8)}` }))
        .name
      const slurm = `slurm-${newId().slice(-8)}`
      await putComputeSite(ctx, {
        name: slurm,
        executor: 'slurm',
        batchSystem: 'slurm',
        config: { root: tempDir('continuum-slurm-runs-'), env: cluster?.env, pollIntervalMs: 300 },
        cores: 2,
        memoryPerCoreMb: 2000,
        maxWalltimeS: 3600,
        energyGCo2PerKwh: 300,
        attributes: { country: 'DE' },
      })
      const dir = tempDir()
      const wf = await submitWorkflow(ctx, {
        workdir: dir,
        source: `name: two-sites
defaults: { site: '${local}|${slurm}', resources: { memory: 100MB, walltime: 5m } }
tasks:
  - name: part
    scatter: { range: 6 }
    command: [sh, -c, 'sleep 1; echo \${{ item }} > part-\${{ item }}.txt']
    outputs: ['part-\${{ item }}.txt']
  - name: join
    needs: [part]
    site: ${slurm}
    script: cat part-*.txt > all.txt
    outputs: [all.txt]
`,
      })
      const engine = new WorkflowEngine(
        { ...ctx, clock: { now: () => new Date() } },
        { workerId: 'slurm-test' },
      )
      const done = await runUntilFinished(ctx, [engine], wf.id, 20_000)
      assert.equal(done.state, 'succeeded')
      assert.equal(readFileSync(path.join(dir, 'all.txt'), 'utf8'), '0\n1\n2\n3\n4\n5\n')
      const sites = new Set((await listTasks(ctx, wf.id)).items.map((t) => t.site))
      assert.ok(sites.has(local) && sites.has(slurm), `both sites used: ${[...sites].join(', ')}`)
      const join = await explainTask(ctx, wf.id, 'join')
      assert.equal(join.task.site, slurm)
      assert.match(join.task.externalId ?? '', /^\d+$/)
      assert.ok(
        join.placement.some(
          (p) => p.site === local && !p.eligible && /site expression/.test(p.reasons[0] ?? ''),
        ),
      )
      const usage = await ctx.db
        .selectFrom('usage_records')
        .selectAll()
        .where('workflow_id', '=', wf.id)
        .execute()
      assert.equal(usage.length, 7)
      assert.ok(usage.some((u) => u.batch_system === 'slurm' && u.wall_s >= 0))
    })
  })
})
