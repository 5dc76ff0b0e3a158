/**
 * Communities map to Unix accounts (issue 15): a site's `accounts` decide which account runs a
 * community's jobs — in the local sandbox and through Slurm (`sbatch --uid` as root) — with
 * `default` for the others; an account that does not exist fails the job with the reason.
 * Needs root (to make the accounts and switch to them) and bubblewrap; Slurm for its part.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  LocalExecutor,
  SlurmExecutor,
  resolveAccount,
  type Executor,
  type JobSpec,
  type JobStatus,
} from '../src/executors/index.js'
import { newId } from '../src/platform/index.js'
import { slurmSkipReason, startSlurm, type SlurmCluster } from './support/slurm.js'
import { tempDir } from './support/workflows.js'

const rootSkip =
  process.getuid?.() === 0
    ? false
    : 'switching accounts needs root (useradd, setpriv, sbatch --uid)'
if (rootSkip && process.env.CI === 'true') throw new Error(`${rootSkip} (CI=true: must run)`)

const accounts = ['cx-lofar', 'cx-others']

function ensureAccount(name: string): void {
  if (spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0) return
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name])
}

function job(community: string | null, script: string): JobSpec {
  return {
    attemptId: `${newId()}.1`,
    argv: ['sh', '-c', script],
    env: {},
    workdir: tempDir(),
    cores: 1,
    memoryMb: 64,
    walltimeS: 120,
    community,
  }
}

async function finished(executor: Executor, spec: JobSpec): Promise<JobStatus & { out: string }> {
  await executor.submit(spec)
  for (let i = 0; i < 1200; i++) {
    const status = (await executor.status([{ attemptId: spec.attemptId, externalId: null }])).get(
      spec.attemptId,
    ) as JobStatus
    if (status.state === 'done' || status.state === 'failed') {
      const logs = await executor.logs({ attemptId: spec.attemptId, externalId: null })
      return { ...status, out: logs.stdout + logs.stderr }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${spec.attemptId} did not end`)
}

describe("a community's jobs run as its account", { skip: rootSkip }, () => {
  before(() => accounts.forEach(ensureAccount))

  it('in the local sandbox: its own account, the default for others, a missing one refused', async () => {
    const ex = new LocalExecutor({
      root: tempDir('continuum-accounts-runs-'),
      cores: 2,
      memoryMb: 1024,
      accounts: { lofar: 'cx-lofar', atlas: 'cx-no-such-account', default: 'cx-others' },
    })
    const lofar = job('lofar', 'id -un; echo x > out.txt')
    const mine = await finished(ex, lofar)
    assert.equal(mine.state, 'done', mine.out)
    assert.equal(mine.out.trim(), 'cx-lofar')
    assert.equal(statSync(path.join(lofar.workdir, 'out.txt')).uid, resolveAccount('cx-lofar').uid)
    const other = await finished(ex, job('cms', 'id -un'))
    assert.equal(other.out.trim(), 'cx-others')
    const none = await finished(ex, job(null, 'id -un'))
    assert.equal(none.out.trim(), 'cx-others', 'no community: the default account')
    const missing = await finished(ex, job('atlas', 'echo RAN'))
    assert.equal(missing.state, 'failed')
    assert.match(missing.reason ?? '', /no Unix account 'cx-no-such-account'/)
    assert.doesNotMatch(missing.out, /RAN/)
  })

  describe('through Slurm (sbatch --uid)', { skip: slurmSkipReason() }, () => {
    let cluster: SlurmCluster | undefined
    before(async () => {
      cluster = await startSlurm()
    })
    after(() => cluster?.stop())

    // A cluster's shared scratch: folders the communities' accounts can pass through.
    const shared = () => {
      const dir = tempDir('continuum-accounts-shared-')
      chmodSync(dir, 0o755)
      return dir
    }

    it('refuses a run folder the accounts cannot reach, at start', () => {
      assert.throws(
        () =>
          new SlurmExecutor({
            root: tempDir('continuum-accounts-closed-'),
            env: cluster?.env ?? {},
            accounts: { lofar: 'cx-lofar' },
          }),
        { code: 'CONFIG_INVALID', message: /cannot reach the run folder/ },
      )
    })

    it('submits as the mapped account, alone and as a job array', async () => {
      const ex = new SlurmExecutor({
        root: shared(),
        env: cluster?.env ?? {},
        pollIntervalMs: 200,
        accounts: { lofar: 'cx-lofar' },
      })
      const single = await finished(ex, { ...job('lofar', 'id -un'), workdir: shared() })
      assert.equal(single.state, 'done', single.out)
      assert.equal(single.out.trim(), 'cx-lofar')
      const workdir = shared()
      const scatter = [0, 1].map(() => ({ ...job('lofar', 'id -un'), workdir }))
      await ex.submitMany(scatter)
      for (const spec of scatter) {
        const r = await finished(ex, spec)
        assert.equal(r.out.trim(), 'cx-lofar', r.reason ?? '')
      }
      // Unmapped: this process's own account, as before.
      const own = await finished(ex, job('atlas', 'id -un'))
      assert.equal(own.out.trim(), 'root')
      // A workflow folder the account cannot reach: failed at once, saying why.
      const inner = path.join(tempDir(), 'workflow')
      mkdirSync(inner)
      const closed = await finished(ex, { ...job('lofar', 'echo RAN'), workdir: inner })
      assert.equal(closed.state, 'failed')
      assert.match(closed.reason ?? '', /cannot reach its folder/)
    })
  })
})
