/** Units users write in workflow documents: memory sizes and durations. */

const memoryUnits: Record<string, number> = {
  '': 1,
  b: 1 / (1024 * 1024),
  k: 1 / 1024,
  kb: 1 / 1000,
  kib: 1 / 1024,
  m: 1,
  mb: 1,
  mib: 1,
  g: 1024,
  gb: 1000,
  gib: 1024,
  t: 1024 * 1024,
  tb: 1000 * 1000,
  tib: 1024 * 1024,
}

/** Parses a memory size into MiB; a bare number is MiB. Returns undefined when malformed. */
export function parseMemoryMb(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  if (!m) return undefined
  const factor = memoryUnits[(m[2] ?? '').toLowerCase()]
  if (factor === undefined) return undefined
  return Math.ceil(Number(m[1]) * factor)
}

const durationUnits: Record<string, number> = { '': 1, s: 1, m: 60, min: 60, h: 3600, d: 86400 }

/** Parses a duration into seconds: `90`, `90s`, `30m`, `2h`, `1d`, or Slurm's `HH:MM:SS`. */
export function parseDurationS(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const hms = /^\s*(\d+):(\d{2}):(\d{2})\s*$/.exec(value)
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3])
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  if (!m) return undefined
  const factor = durationUnits[(m[2] ?? '').toLowerCase()]
  if (factor === undefined) return undefined
  return Math.ceil(Number(m[1]) * factor)
}
