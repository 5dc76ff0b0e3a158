/**
 * Plan → run on the demo's small continuum: the shipped landscape, the demo's catalogue records
 * (workstation and cluster, access policies, allocation), this machine bound as `local` and a
 * real single-node Slurm bound as `slurm`. `landscape plan` of the shipped use case
 * lofar2-calibration-imaging must agree with where its shipped example workflow actually runs;
 * `workflow explain` cites the use case and the access policy that allowed each placement; a
 * probe of a use case needing ATLAS's CVMFS repository is refused with the reason. Both backends;
 * the Slurm part skips without Slurm or root (and must run under CI=true).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, it } from 'node:test'
import { createDemoEndpoints } from '../src/data/index.js'
import { loadShippedLandscape } from '../src/landscape/index.js'
import { systemClock } from '../src/platform/index.js'
import { PolicyEngine, syncAccessPolicies } from '../src/policy/index.js'
import {
  bindDemoSlurm,
  bindDemoWorkstation,
  ensureDemoCatalogue,
  ensureDemoDataset,
  explainTask,
  FederationStaging,
  planUseCase,
  submitWorkflow,
  WorkflowEngine,
  type LocalSlurm,
} from '../src/workflows/index.js'
import { describeEachBackend } from './support/backends.js'
import { slurmSkipReason, startSlurm } from './support/slurm.js'
import { runUntilFinished, tempDir } from './support/workflows.js'

const slurmSkip = slurmSkipReason()

describeEachBackend('plan → run on the demo continuum', (fixture) => {
  let policy: PolicyEngine
  let slurm: LocalSlurm | undefined
  const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-plan-'))
  const ctx = () => ({ ...fixture().ctx, clock: systemClock })

  before(async () => {
    await loadShippedLandscape(ctx())
    await ensureDemoCatalogue(ctx())
    policy = new PolicyEngine(ctx(), () => [])
    await syncAccessPolicies(ctx(), policy, 'test')
    await createDemoEndpoints(ctx(), home)
    await bindDemoWorkstation(ctx(), home)
    await ensureDemoDataset(ctx())
    if (!slurmSkip) {
      slurm = await startSlurm()
      await bindDemoSlurm(ctx(), home, slurm)
    }
  })
  after(() => slurm?.stop())

  it('plans the shipped example of a use case where it then runs, and explains why', async () => {
    const plan = await planUseCase(ctx(), 'lofar2-calibration-imaging', {}, { policy })
    assert.equal(plan.workflow.from, 'example')
    assert.equal(plan.workflow.file, 'examples/lofar-imaging.yaml')
    assert.equal(plan.community, 'lofar')
    const planned = new Map(plan.tasks.map((t) => [t.task, t]))
    // Where the raw data is: the workstation's disk is bound to the demo dataset's endpoint.
    assert.equal(planned.get('calibrate')?.site, 'local')
    assert.match(
      planned.get('calibrate')?.placement[0]?.reasons.join(' ') ?? '',
      /data locality: 100%/,
    )
    assert.equal(planned.get('image')?.site, slurm ? 'slurm' : 'local')
    assert.ok(planned.get('image')?.match, "the landscape match's reasons are beside the plan")
    assert.ok(plan.services.some((s) => s.name === 'demo-local' && s.site === 'local'))

    const source = readFileSync('examples/lofar-imaging.yaml', 'utf8')
    const wf = await submitWorkflow(ctx(), {
      workdir: tempDir(),
      source,
      filename: 'lofar-imaging.yaml',
    })
    assert.equal(wf.useCase, 'lofar2-calibration-imaging')
    const engine = new WorkflowEngine(ctx(), {
      workerId: 'plan-run',
      policy,
      staging: new FederationStaging(ctx()),
    })
    const done = await runUntilFinished(ctx(), [engine], wf.id)
    assert.equal(done.state, 'succeeded')
    for (const t of plan.tasks) {
      const x = await explainTask(ctx(), wf.id, t.task)
      assert.equal(x.task.site, t.site, `${t.task}: planned on ${t.site}, ran on ${x.task.site}`)
      assert.equal(x.useCase, 'lofar2-calibration-imaging')
      const chosen = x.placement.find((d) => d.site === x.task.site)
      const allowedBy = x.task.site === 'slurm' ? 'demo-cluster-lofar' : 'demo-workstation-open'
      assert.match(chosen?.reasons.join(' ') ?? '', new RegExp(`access policy ${allowedBy}`))
    }
    if (slurm) {
      // The cluster is LOFAR's (policy and allocation): another community's task stays local.
      const other = await planUseCase(
        ctx(),
        'lofar2-calibration-imaging',
        { source: source.replace('community: lofar', 'community: atlas') },
        { policy },
      )
      const image = other.tasks.find((t) => t.task === 'image')
      assert.equal(image?.site, 'local')
      const refusal = image?.placement.find((d) => d.site === 'slurm')
      assert.match(refusal?.reasons.join(' ') ?? '', /allocation|policy/)
    }
  })

  it('probes a use case from its profile: a site without its software environment is refused', async () => {
    const plan = await planUseCase(ctx(), 'hl-lhc-atlas-production', {}, { policy })
    assert.equal(plan.workflow.from, 'probe')
    const probe = plan.tasks[0]
    assert.equal(probe?.site, null)
    const local = probe?.placement.find((d) => d.site === 'local')
    assert.match(
      local?.reasons.join(' ') ?? probe?.summary ?? '',
      /walltime|software environment \/cvmfs\/atlas\.cern\.ch is not offered/,
    )
    // The same task with a walltime the demo allows: refused for the environment alone.
    const short = await planUseCase(
      ctx(),
      'hl-lhc-atlas-production',
      {
        source:
          "name: short\ncommunity: atlas\ntasks:\n  - name: sim\n    command: ['true']\n    environment: { name: cvmfs-atlas }\n    resources: { walltime: 10m }\n",
      },
      { policy },
    )
    const sim = short.tasks[0]
    assert.equal(sim?.site, null)
    assert.match(
      sim?.placement.find((d) => d.site === 'local')?.reasons.join(' ') ?? '',
      /software environment cvmfs-atlas is not offered here/,
    )
  })
})
