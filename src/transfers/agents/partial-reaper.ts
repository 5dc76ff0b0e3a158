/**
 * Partial files of killed writers: a POSIX write goes to `<target>.part` and is renamed when
 * complete, so a writer killed mid-way (SIGKILL, power loss) leaves the `.part` behind (252 MB
 * seen) and nothing else knows of it. The `transfers.partial-reaper` agent walks the POSIX
 * endpoints' folders, counts the `.part` files it finds, and removes those untouched for longer
 * than the grace period (a live writer keeps touching its file). Each round's walk is bounded
 * in entries and in time, so a huge or hung file system costs a bounded amount.
 */
import type { Dirent } from 'node:fs'
import { opendir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { listEndpoints } from '../../data/index.js'
import type { Context } from '../../db/index.js'
import type { Agent, Logger } from '../../platform/index.js'
import { withDeadline } from '../deadline.js'

export interface PartialReaperOptions {
  logger?: Logger | undefined
  /** A `.part` file untouched this long belongs to a dead writer (default 1 h). */
  graceMs?: number
  /** Directory entries looked at per round, over all endpoints (default 200,000). */
  maxEntries?: number
  /** Longest one endpoint's walk may take (default 60 s); a hung mount is abandoned. */
  walkDeadlineMs?: number
}

export interface PartialFiles {
  files: number
  bytes: number
}

export class PartialFileReaper implements Agent {
  readonly name = 'transfers.partial-reaper'
  readonly idleMs = 600_000
  /** Partial files seen in the last round and not (yet) removed: live writers or young ones. */
  pending: PartialFiles = { files: 0, bytes: 0 }

  constructor(
    private readonly ctx: Context,
    private readonly options: PartialReaperOptions = {},
  ) {}

  async runOnce(): Promise<number> {
    const roots = new Set<string>()
    for (const e of await listEndpoints(this.ctx)) {
      for (const p of e.protocols) if (p.url.startsWith('file:')) roots.add(fileURLToPath(p.url))
    }
    const budget = { entries: this.options.maxEntries ?? 200_000 }
    const pending: PartialFiles = { files: 0, bytes: 0 }
    const removed: PartialFiles = { files: 0, bytes: 0 }
    const cutoff = this.ctx.clock.now().getTime() - (this.options.graceMs ?? 3_600_000)
    for (const root of roots) {
      if (budget.entries <= 0) break
      await withDeadline(this.options.walkDeadlineMs ?? 60_000, `walk of ${root}`, (signal) =>
        walk(root, budget, signal, async (file) => {
          const s = await stat(file).catch(() => undefined)
          if (!s?.isFile()) return
          if (s.mtimeMs < cutoff) {
            await rm(file, { force: true })
            removed.files++
            removed.bytes += s.size
          } else {
            pending.files++
            pending.bytes += s.size
          }
        }),
      ).catch((err: unknown) =>
        this.options.logger?.warn({ err, root }, 'partial-file walk failed'),
      )
    }
    this.pending = pending
    if (removed.files > 0 || pending.files > 0) {
      this.options.logger?.info({ removed, pending }, 'partial files of interrupted writes')
    }
    return removed.files
  }
}

async function walk(
  root: string,
  budget: { entries: number },
  signal: AbortSignal,
  onPartial: (file: string) => Promise<void>,
): Promise<void> {
  const folders = [root]
  while (folders.length > 0 && budget.entries > 0 && !signal.aborted) {
    const folder = folders.pop()!
    const dir = await opendir(folder).catch(() => undefined)
    if (!dir) continue
    for await (const entry of dir as AsyncIterable<Dirent>) {
      if (--budget.entries <= 0 || signal.aborted) break
      const full = path.join(folder, entry.name)
      // Symbolic links are not followed: the walk stays inside the endpoint's folder.
      if (entry.isDirectory()) folders.push(full)
      else if (entry.isFile() && entry.name.endsWith('.part')) await onPartial(full)
    }
  }
}
