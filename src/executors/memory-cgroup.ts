/**
 * A memory limit per local job: the job's declared memory, enforced by the kernel in a memory
 * cgroup of its own (`<controller>/continuum/<attempt>`), so that a job that grows past it is
 * killed instead of the machine swapping or the OOM killer choosing the server. cgroup v1's
 * memory controller (`memory.limit_in_bytes`) and v2's (`memory.max`) both serve; where
 * neither can be written (no root, a container without delegation) jobs run without one and
 * the executor says so once. The wrapper joins the job to the cgroup before it starts and,
 * once it ended, records "exceeded its memory limit" when the kernel killed it for that.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { rmdir } from 'node:fs/promises'
import path from 'node:path'

export interface MemoryCgroups {
  kind: 'v1' | 'v2'
  /** `<controller>/continuum`: one folder per attempt below it. */
  base: string
}

let found: MemoryCgroups | null | undefined

/** Where job cgroups can be made here, or null (found once per process). */
export function memoryCgroups(): MemoryCgroups | null {
  if (found !== undefined) return found
  found = null
  const candidates: Array<[MemoryCgroups['kind'], string]> = [
    ['v1', '/sys/fs/cgroup/memory'],
    ['v2', '/sys/fs/cgroup'],
    ['v2', '/sys/fs/cgroup/unified'],
  ]
  for (const [kind, root] of candidates) {
    const file = kind === 'v1' ? 'memory.limit_in_bytes' : 'cgroup.controllers'
    if (!existsSync(path.join(root, file))) continue
    if (
      kind === 'v2' &&
      !readFileSync(path.join(root, file), 'utf8').split(/\s+/).includes('memory')
    ) {
      continue
    }
    try {
      const base = path.join(root, 'continuum')
      mkdirSync(base, { recursive: true })
      if (kind === 'v2') writeFileSync(path.join(base, 'cgroup.subtree_control'), '+memory')
      found = { kind, base }
      break
    } catch {
      // Not ours to write: try the next, else none.
    }
  }
  return found
}

/** Makes the attempt's cgroup with its limit; null where there are none or no limit is asked. */
export function jobCgroup(attemptId: string, memoryMb: number): string | null {
  const cgroups = memoryCgroups()
  if (cgroups === null || !(memoryMb > 0)) return null
  const dir = path.join(cgroups.base, attemptId)
  try {
    mkdirSync(dir, { recursive: true })
    const bytes = String(Math.ceil(memoryMb) * 1024 * 1024)
    if (cgroups.kind === 'v1') {
      writeFileSync(path.join(dir, 'memory.limit_in_bytes'), bytes)
    } else {
      writeFileSync(path.join(dir, 'memory.max'), bytes)
      writeFileSync(path.join(dir, 'memory.swap.max'), '0')
    }
    return dir
  } catch {
    removeJobCgroup(dir)
    return null
  }
}

/** `removeJobCgroup` off the event loop (removing a cgroup can take the kernel milliseconds). */
export async function removeJobCgroupLater(dir: string): Promise<void> {
  try {
    await rmdir(dir)
  } catch {
    // Still has a process (then the kernel keeps it until it ends) or gone already.
  }
}

export function removeJobCgroup(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // Still has a process (then the kernel keeps it until it ends) or gone already.
  }
}
