/** Number and time formatting shared by the views. */

const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '—'
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n == null) return '—'
  // Small non-zero amounts (a few core-seconds) keep three significant digits instead of 0.
  if (n !== 0 && Math.abs(n) < 1) return n.toLocaleString('en-GB', { maximumSignificantDigits: 3 })
  return n.toLocaleString('en-GB', { maximumFractionDigits: digits })
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' })
}

export function formatDuration(fromIso: string | null, toIso: string | null): string {
  if (!fromIso) return '—'
  const ms = (toIso ? new Date(toIso) : new Date()).getTime() - new Date(fromIso).getTime()
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string }
  return e.code ? `${e.code}: ${e.message ?? ''}` : String(e.message ?? err)
}
