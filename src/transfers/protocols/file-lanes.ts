/**
 * Lanes for file-system work on POSIX endpoints. Node runs every file-system call on one small
 * shared thread pool (four threads by default, also used by DNS lookups and zlib). A call into
 * a hung network mount never returns: its thread is lost until the mount answers, and after a
 * handful of such calls every other endpoint's files, and the server itself, wait behind them.
 *
 * So each lane (an endpoint, or else the mount a path lies on) may hold at most `perLane` calls
 * in the pool at once. A call past that waits here, in JavaScript, where its deadline can still
 * abandon it; a slot is given back only when the call it held really returned, so a hung mount
 * keeps at most `perLane` threads however many transfers are sent its way.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

interface Lane {
  busy: number
  waiting: Array<() => void>
}

export interface LaneStats {
  lane: string
  busy: number
  waiting: number
}

export class FileLanes {
  private readonly lanes = new Map<string, Lane>()

  constructor(readonly perLane = 2) {}

  /**
   * Runs `work` once the lane has a free slot. `signal` abandons the wait, or the work itself
   * (which then keeps its slot until it really ends). `work` receives `release`, to give the
   * slot back later than its promise settles (a stream still reading after it was opened);
   * by default the slot goes back when its promise settles.
   */
  async run<T>(
    key: string,
    signal: AbortSignal | undefined,
    work: (hold: () => () => void) => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted()
    const lane = this.laneOf(key)
    // A slot freed while others wait is handed straight to the first of them.
    if (lane.busy >= this.perLane) await this.waitTurn(lane, signal)
    else lane.busy++
    let held = false
    let released = false
    const release = () => {
      if (released) return
      released = true
      const next = lane.waiting.shift()
      if (next) next()
      else lane.busy--
    }
    let running: Promise<T>
    try {
      running = work(() => {
        held = true
        return release
      })
    } catch (err) {
      release()
      throw err
    }
    void running.then(
      () => held || release(),
      () => held || release(),
    )
    if (!signal) return running
    return abandonable(running, signal)
  }

  stats(): LaneStats[] {
    return [...this.lanes].map(([lane, l]) => ({
      lane,
      busy: l.busy,
      waiting: l.waiting.length,
    }))
  }

  /** Lanes are few (endpoints and mounts) and are kept. */
  private laneOf(key: string): Lane {
    let lane = this.lanes.get(key)
    if (!lane) this.lanes.set(key, (lane = { busy: 0, waiting: [] }))
    return lane
  }

  private waitTurn(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', abandon)
        resolve()
      }
      const abandon = () => {
        const at = lane.waiting.indexOf(turn)
        if (at >= 0) lane.waiting.splice(at, 1)
        reject(signal?.reason as Error)
      }
      lane.waiting.push(turn)
      signal?.addEventListener('abort', abandon, { once: true })
    })
  }
}

/** `work`'s result, or the signal's reason as soon as it aborts (the work is left to end). */
function abandonable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const abandon = () => reject(signal.reason as Error)
    signal.addEventListener('abort', abandon, { once: true })
    work.then(
      (v) => {
        signal.removeEventListener('abort', abandon)
        resolve(v)
      },
      (err: Error) => {
        signal.removeEventListener('abort', abandon)
        reject(err)
      },
    )
  })
}

let mounts: { at: number; points: string[] } | undefined

/**
 * The mount point a path lies on (the longest one that contains it), read from the kernel's
 * own table: reading /proc never touches the mounted file systems, so it cannot hang on them.
 */
export function mountOf(p: string): string {
  const now = Date.now()
  if (!mounts || now - mounts.at > 30_000) {
    let points = ['/']
    try {
      points = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[4])
        .filter((m): m is string => m !== undefined && m.startsWith('/'))
        .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
        .sort((a, b) => b.length - a.length)
    } catch {
      // Not Linux: one lane for everything.
    }
    mounts = { at: now, points }
  }
  return mounts.points.find((m) => m === '/' || p === m || p.startsWith(m + path.sep)) ?? path.sep
}
