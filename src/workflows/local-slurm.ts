/**
 * A real single-node Slurm (Debian `slurm-wlm` + `munge`) in a folder of its own, on free
 * loopback ports: what the demo runs as its second site and the tests run against. Needs root
 * (slurmd starts jobs as their submitter) and the packages; `localSlurmMissing` says why not.
 * Stopped by process id (the daemons write their pid files in the folder).
 */
import { execFile, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
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
  /** The nodes' names: `localhost` for one node, `node1`…`nodeN` for several. */
  nodes: string[]
  /** Stops one node's slurmd as a crash would (SIGKILL), with the jobs it runs. */
  killNode(name: string): Promise<void>
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

export interface LocalSlurmOptions {
  /** CPUs and memory of each node. */
  cpus?: number
  memoryMb?: number
  /**
   * Nodes (default 1). Several run as Slurm's multiple-slurmd mode allows: one slurmd per node
   * on this host, each on its own port, with its own spool, pid and log files.
   */
  nodes?: number
  /** How long a silent node stays up in slurmctld's eyes (Slurm's default: 300 s). */
  slurmdTimeoutS?: number
  /**
   * Job credentials' lifetime, which is also how long Slurm holds a requeued job before it may
   * start again (so that a launch from before cannot run twice; Slurm's default: 120 s).
   */
  credExpireS?: number
  timeoutMs?: number
}

/** Starts slurmctld and its slurmd(s); resolves once every node is idle. */
export async function startLocalSlurm(
  dir: string,
  options: LocalSlurmOptions = {},
): Promise<LocalSlurm> {
  await ensureMunge()
  for (const sub of ['state', 'spool', 'log']) mkdirSync(path.join(dir, sub), { recursive: true })
  // slurmd starts a job's script from its spool as the job's account (sbatch --uid): like
  // /var/spool/slurmd, the way there is open (the job folders in it are slurmd's own).
  chmodSync(dir, 0o755)
  chmodSync(path.join(dir, 'spool'), 0o755)
  const count = Math.max(1, options.nodes ?? 1)
  const nodes =
    count === 1 ? ['localhost'] : Array.from({ length: count }, (_, i) => `node${i + 1}`)
  const ctldPort = await freePort()
  const ports: number[] = []
  for (let i = 0; i < count; i++) ports.push(await freePort())
  const conf = path.join(dir, 'slurm.conf')
  const partition = 'debug'
  const cpus = options.cpus ?? 2
  const memory = options.memoryMb ?? 4000
  const nodeLines = nodes.map((name, i) =>
    count === 1
      ? `NodeName=${name} CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`
      : `NodeName=${name} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${ports[i]} CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`,
  )
  writeFileSync(
    conf,
    [
      'ClusterName=continuum',
      'SlurmctldHost=localhost',
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      ...(options.credExpireS ? [`AuthInfo=cred_expire=${options.credExpireS}`] : []),
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool/%n`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd-%n.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd-%n.log`,
      `SlurmctldPort=${ctldPort}`,
      ...(count === 1 ? [`SlurmdPort=${ports[0]}`] : []),
      `SlurmdTimeout=${options.slurmdTimeoutS ?? 300}`,
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
      ...nodeLines,
      `PartitionName=${partition} Nodes=${nodes.join(',')} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  )
  const env = { SLURM_CONF: conf }
  const withEnv = { env: { ...process.env, ...env } }
  const stop = () => {
    for (const f of [...nodes.map((n) => `slurmd-${n}.pid`), 'slurmctld.pid']) {
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
    for (const node of nodes) await run('/usr/sbin/slurmd', ['-N', node, '-f', conf], withEnv)
    await waitFor(
      async () => {
        const states = (await answer('sinfo', ['-h', '-N', '-o', '%t'], withEnv)).trim().split('\n')
        return states.length === count && states.every((t) => /^(idle|mix|alloc)/.test(t))
      },
      timeoutMs,
      'slurmd',
    )
  } catch (err) {
    stop()
    throw err
  }
  const killNode = async (name: string) => {
    const pid = pidOf(path.join(dir, `slurmd-${name}.pid`))
    if (pid) process.kill(pid, 'SIGKILL')
    // Its job steps die with the machine: every slurmstepd of a job on that node.
    const jobs = (await answer('squeue', ['-h', '-w', name, '-o', '%A'], withEnv)).split('\n')
    for (const job of jobs.map((j) => j.trim()).filter(Boolean)) {
      const steps = await answer('pgrep', ['-f', `slurmstepd: \\[${job}\\.`], withEnv)
      for (const step of steps.split('\n').filter(Boolean)) {
        for (const p of [Number(step), ...descendantsOf(Number(step))]) {
          try {
            process.kill(p, 'SIGKILL')
          } catch {
            // gone already
          }
        }
      }
    }
  }
  return { dir, conf, env, partition, nodes, killNode, stop }
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

/** Every process below `root` (children, their children, …), from /proc. */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // ended meanwhile
    }
  }
  const out: number[] = []
  const queue = [root]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child)
      queue.push(child)
    }
  }
  return out
}
