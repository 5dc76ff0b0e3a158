/**
 * A real single-node Slurm 22.05 cluster (Debian `slurm-wlm` + `munge`) in a temp folder, on
 * random loopback ports, started by the tests and stopped by process id — the same one the demo
 * starts (src/workflows/local-slurm.ts). Needs root (slurmd runs jobs as the submitting user) and
 * the Debian packages; otherwise the tests skip with the reason (and fail under CI=true, where
 * .ci/run installs the packages).
 */
import { localSlurmMissing, startLocalSlurm, type LocalSlurm } from '../../src/workflows/index.js'
import { tempDir } from './workflows.js'

export type SlurmCluster = LocalSlurm

export function slurmSkipReason(): string | false {
  const reason = localSlurmMissing()
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason} (CI=true: Slurm tests must run)`)
  }
  return reason ?? false
}

export async function startSlurm(): Promise<SlurmCluster> {
  return startLocalSlurm(tempDir('continuum-slurm-'))
}
