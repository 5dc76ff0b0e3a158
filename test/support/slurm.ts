/**
 * A real single-node Slurm 22.05 cluster (Debian `slurm-wlm` + `munge`) in a temp folder, on
 * random loopback ports, started by the tests and stopped by process id. Needs root (slurmd runs
 * jobs as the submitting user) and the Debian packages; otherwise the tests skip with the reason
 * (and fail under CI=true, where .ci/run installs the packages).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { tempDir } from './workflows.js'

export interface SlurmCluster {
  dir: string
  conf: string
  /** Environment for sbatch/squeue/scontrol/scancel: SLURM_CONF. */
  env: Record<string, string>
  stop(): void
}

export function slurmSkipReason(): string | false {
  const missing = [
    '/usr/sbin/slurmctld',
    '/usr/sbin/slurmd',
    '/usr/sbin/munged',
    '/usr/bin/sbatch',
  ].filter((f) => !existsSync(f))
  let reason: string | false = false
  if (missing.length > 0) {
    reason = `Slurm is not installed (missing ${missing.join(', ')}; apt-get install slurm-wlm munge)`
  } else if (process.getuid?.() !== 0) {
    reason = 'Slurm tests need root (slurmd runs jobs as the submitting user)'
  }
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason} (CI=true: Slurm tests must run)`)
  }
  return reason
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function ensureMunge(): void {
  if (
    existsSync('/run/munge/munge.socket.2') &&
    spawnSync('munge', ['-n'], { stdio: 'ignore' }).status === 0
  ) {
    return
  }
  mkdirSync('/run/munge', { recursive: true })
  execFileSync('chown', ['munge:munge', '/run/munge'])
  execFileSync('su', ['-s', '/bin/sh', 'munge', '-c', '/usr/sbin/munged'])
}

function pidOf(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined
  } catch {
    return undefined
  }
}

export async function startSlurm(): Promise<SlurmCluster> {
  ensureMunge()
  const dir = tempDir('continuum-slurm-')
  for (const sub of ['state', 'spool', 'log']) mkdirSync(path.join(dir, sub))
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()]
  const conf = path.join(dir, 'slurm.conf')
  writeFileSync(
    conf,
    [
      'ClusterName=continuum-test',
      'SlurmctldHost=localhost',
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'MpiDefault=none',
      'ReturnToService=2',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${dir}/log/jobcomp.txt`,
      'MinJobAge=300',
      'SchedulerParameters=sched_interval=1',
      'NodeName=localhost CPUs=2 RealMemory=4000 State=UNKNOWN',
      'PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  )
  const env = { SLURM_CONF: conf }
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { env: { ...process.env, ...env }, stdio: 'ignore' })
  run('/usr/sbin/slurmctld', ['-c', '-f', conf])
  const stop = () => {
    for (const f of ['slurmd.pid', 'slurmctld.pid']) {
      const pid = pidOf(path.join(dir, f))
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          // gone
        }
      }
    }
  }
  try {
    await waitFor(
      () =>
        spawnSync('scontrol', ['ping'], { env: { ...process.env, ...env } })
          .stdout.toString()
          .includes('UP'),
      15_000,
      'slurmctld',
    )
    run('/usr/sbin/slurmd', ['-N', 'localhost', '-f', conf])
    await waitFor(
      () =>
        /idle|mix|alloc/.test(
          spawnSync('sinfo', ['-h', '-o', '%t'], {
            env: { ...process.env, ...env },
          }).stdout.toString(),
        ),
      20_000,
      'slurmd',
    )
  } catch (err) {
    stop()
    throw err
  }
  return { dir, conf, env, stop }
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${what} did not come up within ${ms} ms`)
}
