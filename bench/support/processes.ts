/** Starting and stopping benchmark peer processes. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface Peer {
  child: ChildProcess
  /** Words after READY on the process's ready line. */
  ready: string[]
  stop(): Promise<void>
}

export function startPeer(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Peer> {
  return new Promise((resolve, reject) => {
    // BENCH_PEER_NODE_ARGS: extra node flags for the peers (e.g. --cpu-prof to profile them).
    const extra = process.env.BENCH_PEER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
    const child = spawn(process.execPath, [...extra, '--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    })
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      const line = err.split('\n').find((l) => l.startsWith('READY '))
      if (line) {
        const [, ...ready] = line.split(' ')
        resolve({
          child,
          ready,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done())
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${err}`)))
  })
}

/** CPU seconds (user + system) a process has used, from /proc: unaffected by other load. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
