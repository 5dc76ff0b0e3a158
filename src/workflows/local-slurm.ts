/**
 * A real single-node Slurm (Debian `slurm-wlm` + `munge`) in a folder of its own, on free
 * loopback ports: what the demo runs as its second site and the tests run against. Needs root
 * (slurmd starts jobs as their submitter) and the packages; `localSlurmMissing` says why not.
 * Stopped by process id (the daemons write their pid files in the folder).
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface LocalSlurm {
  dir: string
  conf: string
  /** Environment for sbatch/squeue/scontrol/scancel/sinfo: SLURM_CONF. */
  env: Record<string, string>
  partition: string
  stop(): void
}

/** Why a local Slurm cannot start here, or null when it can. */
export function localSlurmMissing(): string | null {
  const missing = [
    '/usr/sbin/slurmctld',
    '/usr/sbin/slurmd',
    '/usr/sbin/munged',
    '/usr/bin/sbatch',
  ].filter((f) => !existsSync(f))
  if (missing.length > 0) {
    return `Slurm is not installed (missing ${missing.join(', ')}; apt-get install slurm-wlm munge)`
  }
  if (process.getuid?.() !== 0) {
    return 'a local Slurm needs root (slurmd runs jobs as their submitter)'
  }
  return null
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

async function ensureMunge(): Promise<void> {
  if (
    existsSync('/run/munge/munge.socket.2') &&
    spawnSync('munge', ['-n'], { stdio: 'ignore' }).status === 0
  ) {
    return
  }
  mkdirSync('/run/munge', { recursive: true })
  await run('chown', ['munge:munge', '/run/munge'])
  try {
    await run('su', ['-s', '/bin/sh', 'munge', '-c', '/usr/sbin/munged'])
  } catch (err) {
    // Another process (a test, a second demo) started it meanwhile: fine if it answers.
    if (spawnSync('munge', ['-n'], { stdio: 'ignore' }).status !== 0) throw err
  }
}

function pidOf(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined
  } catch {
    return undefined
  }
}

/** Starts slurmctld and one slurmd named `localhost` with `cpus` CPUs; resolves once it is idle. */
export async function startLocalSlurm(
  dir: string,
  options: { cpus?: number; memoryMb?: number; timeoutMs?: number } = {},
): Promise<LocalSlurm> {
  await ensureMunge()
  for (const sub of ['state', 'spool', 'log']) mkdirSync(path.join(dir, sub), { recursive: true })
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()]
  const conf = path.join(dir, 'slurm.conf')
  const partition = 'debug'
  writeFileSync(
    conf,
    [
      'ClusterName=continuum',
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
      `NodeName=localhost CPUs=${options.cpus ?? 2} RealMemory=${options.memoryMb ?? 4000} State=UNKNOWN`,
      `PartitionName=${partition} Nodes=localhost Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  )
  const env = { SLURM_CONF: conf }
  const withEnv = { env: { ...process.env, ...env } }
  const stop = () => {
    for (const f of ['slurmd.pid', 'slurmctld.pid']) {
      const pid = pidOf(path.join(dir, f))
      if (!pid) continue
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // gone already
      }
    }
  }
  const timeoutMs = options.timeoutMs ?? 30_000
  try {
    await run('/usr/sbin/slurmctld', ['-c', '-f', conf], withEnv)
    await waitFor(
      async () => (await answer('scontrol', ['ping'], withEnv)).includes('UP'),
      timeoutMs,
      'slurmctld',
    )
    await run('/usr/sbin/slurmd', ['-N', 'localhost', '-f', conf], withEnv)
    await waitFor(
      async () => /idle|mix|alloc/.test(await answer('sinfo', ['-h', '-o', '%t'], withEnv)),
      timeoutMs,
      'slurmd',
    )
  } catch (err) {
    stop()
    throw err
  }
  return { dir, conf, env, partition, stop }
}

async function answer(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv },
): Promise<string> {
  try {
    return (await run(cmd, args, { ...opts, timeout: 10_000 })).stdout
  } catch {
    return ''
  }
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${what} did not come up within ${ms} ms`)
}
