/**
 * Partial files of killed writers: a POSIX write goes to `<target>.part` and is renamed when
 * complete, so a writer killed mid-way (SIGKILL, power loss) leaves the `.part` behind (252 MB
 * seen) and nothing else knows of it. The `transfers.partial-reaper` agent walks the POSIX
 * endpoints' folders, counts the `.part` files it finds, and removes those untouched for longer
 * than the grace period (a live writer keeps touching its file). What it found and removed is
 * recorded per endpoint (storage_partial_files, shown on /metrics), so partial files count
 * until they are gone. Each round's walk is bounded in entries and in time, so a huge or hung
 * file system costs a bounded amount.
 */
import type { Dirent } from 'node:fs'
import { opendir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { listEndpoints } from '../../data/index.js'
import type { Context } from '../../db/index.js'
import type { Agent, Logger } from '../../platform/index.js'
import { withDeadline } from '../deadline.js'
import { listPartialFiles, upsertPartialFiles, type PartialFilesRow } from '../partials-store.js'

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
    const budget = { entries: this.options.maxEntries ?? 200_000 }
    const cutoff = this.ctx.clock.now().getTime() - (this.options.graceMs ?? 3_600_000)
    const total = { pending: { files: 0, bytes: 0 }, removed: { files: 0, bytes: 0 } }
    for (const endpoint of await listEndpoints(this.ctx)) {
      const roots = endpoint.protocols
        .filter((p) => p.url.startsWith('file:'))
        .map((p) => fileURLToPath(p.url))
      if (roots.length === 0 || budget.entries <= 0) continue
      const pending: PartialFiles = { files: 0, bytes: 0 }
      const removed: PartialFiles = { files: 0, bytes: 0 }
      let complete = true
      for (const root of new Set(roots)) {
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
        ).catch((err: unknown) => {
          complete = false
          this.options.logger?.warn({ err, root }, 'partial-file walk failed')
        })
      }
      // A walk cut short (hung, or out of budget) still records what it saw: a lower bound.
      await upsertPartialFiles(this.ctx.db, {
        endpoint_id: endpoint.id,
        ...pending,
        removed_files: removed.files,
        removed_bytes: removed.bytes,
        counted_at: this.ctx.clock.now(),
      }).catch((err: unknown) =>
        this.options.logger?.warn({ err, endpoint: endpoint.name }, 'could not record partials'),
      )
      if (!complete) {
        this.options.logger?.warn({ endpoint: endpoint.name }, 'partial count cut short')
      }
      total.pending.files += pending.files
      total.pending.bytes += pending.bytes
      total.removed.files += removed.files
      total.removed.bytes += removed.bytes
    }
    this.pending = total.pending
    if (total.removed.files > 0 || total.pending.files > 0) {
      this.options.logger?.info(total, 'partial files of interrupted writes')
    }
    return total.removed.files
  }
}

/** What the reaper last counted on each POSIX endpoint (by endpoint name). */
export function countedPartialFiles(
  ctx: Context,
): Promise<Array<PartialFilesRow & { endpoint: string }>> {
  return listPartialFiles(ctx.db)
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
