/**
 * The transfer scheduler's gauges on /metrics, per link (source, destination): active, queued,
 * the optimiser's limit, throughput and success rate over the last hour. One statistics read per
 * scrape serves them all. Per POSIX endpoint, the partial files of interrupted writes that the
 * reaper last counted.
 */
import { Gauge, type Registry } from 'prom-client'
import type { TransferStats } from '../../contract/index.js'
import type { Context } from '../../db/index.js'
import { countedPartialFiles, getTransferStats } from '../../transfers/index.js'

export function transferMetrics(registry: Registry, ctx: Context): void {
  // Each gauge's collect asks for the numbers; the first one of a scrape reads, the rest reuse.
  let pending: Promise<TransferStats> | undefined
  const stats = (): Promise<TransferStats> => {
    pending ??= getTransferStats(ctx).finally(() => setImmediate(() => (pending = undefined)))
    return pending
  }
  const gauge = (
    name: string,
    help: string,
    value: (l: TransferStats['links'][number]) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['source', 'destination'],
      registers: [registry],
      async collect() {
        this.reset()
        for (const l of (await stats()).links) {
          const v = value(l)
          if (v !== null) this.set({ source: l.source, destination: l.destination }, v)
        }
      },
    })
  gauge('continuum_transfer_link_active', 'Active transfers per link', (l) => l.active)
  gauge('continuum_transfer_link_queued', 'Queued transfers per link', (l) => l.queued)
  gauge(
    'continuum_transfer_link_limit',
    "The optimiser's current limit of active transfers per link",
    (l) => l.activeLimit,
  )
  gauge(
    'continuum_transfer_link_throughput_bytes_per_second',
    'Throughput per link over the last hour',
    (l) => l.throughputBps,
  )
  gauge(
    'continuum_transfer_link_success_ratio',
    'Share of attempts that succeeded per link over the last hour',
    (l) => l.successRate,
  )
}

export function partialFileMetrics(registry: Registry, ctx: Context): void {
  let pending: ReturnType<typeof countedPartialFiles> | undefined
  const rows = () => {
    pending ??= countedPartialFiles(ctx).finally(() => setImmediate(() => (pending = undefined)))
    return pending
  }
  const gauge = (
    name: string,
    help: string,
    value: (r: Awaited<ReturnType<typeof countedPartialFiles>>[number]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['endpoint'],
      registers: [registry],
      async collect() {
        this.reset()
        for (const r of await rows()) this.set({ endpoint: r.endpoint }, value(r))
      },
    })
  gauge(
    'continuum_storage_partial_files',
    'Partial files (.part) of interrupted writes left on the endpoint at the last count',
    (r) => r.files,
  )
  gauge(
    'continuum_storage_partial_bytes',
    'Bytes in partial files left on the endpoint at the last count',
    (r) => r.bytes,
  )
  gauge(
    'continuum_storage_partial_removed_files',
    'Partial files of dead writers the reaper removed in its last round',
    (r) => r.removed_files,
  )
}
