/**
 * A Slurm site with several nodes (issue 18): two slurmd nodes of one real cluster (Slurm's
 * multiple-slurmd mode, each on its own port), tasks spread across them, and a node lost in the
 * middle of a job — its slurmd and the job's processes killed as a crash would — handled: Slurm
 * marks the node down and requeues the job, which runs again on the other node and ends done
 * exactly once. Needs root and Slurm (skipped locally without, run under CI=true).
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SlurmExecutor, type JobSpec, type JobStatus } from '../src/executors/index.js'
import { newId } from '../src/platform/index.js'
import { startLocalSlurm, type LocalSlurm } from '../src/workflows/index.js'
import { slurmSkipReason } from './support/slurm.js'
import { tempDir } from './support/workflows.js'

const skip = slurmSkipReason()

describe('a Slurm site of two nodes', { skip }, () => {
  let cluster: LocalSlurm | undefined
  let executor: SlurmExecutor
  const root = tempDir('continuum-slurm-nodes-runs-')
  before(async () => {
    // One CPU a node, so that two jobs at once need both nodes; a silent node is down after 15 s
    // (6 s once marked a live node down while a loaded CI host delayed its slurmd), and a
    // requeued job may start again 10 s later (Slurm's default holds it 120 s).
    cluster = await startLocalSlurm(tempDir('continuum-slurm-nodes-'), {
      nodes: 2,
      cpus: 1,
      memoryMb: 1000,
      slurmdTimeoutS: 15,
      credExpireS: 10,
    })
    executor = new SlurmExecutor({ root, env: cluster.env, pollIntervalMs: 200 })
  })
  after(() => cluster?.stop())

  const job = (script: string): JobSpec => ({
    attemptId: `${newId()}.1`,
    argv: ['sh', '-c', script],
    env: {},
    workdir: tempDir(),
    cores: 1,
    memoryMb: 100,
    walltimeS: 300,
  })
  const nodeOf = (spec: JobSpec) =>
    readFileSync(path.join(root, spec.attemptId, 'node'), 'utf8').trim()

  async function statusOf(spec: JobSpec): Promise<JobStatus> {
    const ref = { attemptId: spec.attemptId, externalId: null }
    return (await executor.status([ref])).get(spec.attemptId) as JobStatus
  }

  async function until(spec: JobSpec, wanted: (s: JobStatus) => boolean, ms = 120_000) {
    const deadline = Date.now() + ms
    for (;;) {
      const status = await statusOf(spec)
      if (wanted(status)) return status
      if (Date.now() > deadline) throw new Error(`${spec.attemptId}: still ${status.state}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  it('spreads tasks across the nodes', async () => {
    assert.deepEqual(cluster?.nodes, ['node1', 'node2'])
    const specs = [1, 2, 3, 4].map(() => job('sleep 1; echo ok'))
    for (const spec of specs) await executor.submit(spec)
    for (const spec of specs) {
      assert.equal((await until(spec, (s) => s.state === 'done')).state, 'done')
    }
    const nodes = new Set(specs.map(nodeOf))
    assert.deepEqual([...nodes].sort(), ['node1', 'node2'])
  })

  it('requeues a job whose node is lost, and it ends done once, on the other node', async () => {
    // Each run leaves a line; a started run waits long enough to be caught mid-way.
    const long = job(
      'echo "run on $SLURMD_NODENAME" >> runs.log; sleep 20; echo finished >> runs.log',
    )
    await executor.submit(long)
    await until(
      long,
      (s) => s.state === 'running' && existsSync(path.join(long.workdir, 'runs.log')),
    )
    const lost = nodeOf(long)
    await cluster?.killNode(lost)
    const status = await until(long, (s) => s.state === 'done' || s.state === 'failed', 180_000)
    assert.equal(status.state, 'done', status.reason ?? '')
    const survivor = lost === 'node1' ? 'node2' : 'node1'
    assert.equal(nodeOf(long), survivor, 'the requeued job ran on the node that is still up')
    const lines = readFileSync(path.join(long.workdir, 'runs.log'), 'utf8').trim().split('\n')
    assert.deepEqual(lines, [`run on ${lost}`, `run on ${survivor}`, 'finished'])
  })
})
