/**
 * Quantities with units in catalogue files: a number field whose name ends in a unit
 * (`maxWalltimeHours`, `capacityTB`, `ingestGbps`, `latencyMs`, `growthPBPerYear`) may be
 * written as `"72 h"`, `"2.5 PB"`, `"400 Gb/s"`; it is converted to the field's unit. An unknown
 * unit is an error, never a guess.
 */
interface Dimension {
  /** Units of this dimension and their size in the dimension's base unit. */
  units: Record<string, number>
}

const bytes: Dimension = {
  units: {
    B: 1,
    kB: 1e3,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    PB: 1e15,
    EB: 1e18,
    KiB: 1024,
    MiB: 1024 ** 2,
    GiB: 1024 ** 3,
    TiB: 1024 ** 4,
    PiB: 1024 ** 5,
    EiB: 1024 ** 6,
  },
}
const time: Dimension = {
  units: { ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400, days: 86400, w: 604800 },
}
const rate: Dimension = {
  units: {
    bps: 1,
    kbps: 1e3,
    Mbps: 1e6,
    Gbps: 1e9,
    Tbps: 1e12,
    'b/s': 1,
    'kb/s': 1e3,
    'Mb/s': 1e6,
    'Gb/s': 1e9,
    'Tb/s': 1e12,
  },
}

/** Field-name suffix → dimension and the field's own unit. */
const suffixes: Array<{ suffix: string; dim: Dimension; unit: string; perYear?: boolean }> = [
  { suffix: 'PBPerYear', dim: bytes, unit: 'PB', perYear: true },
  { suffix: 'GB', dim: bytes, unit: 'GB' },
  { suffix: 'TB', dim: bytes, unit: 'TB' },
  { suffix: 'PB', dim: bytes, unit: 'PB' },
  { suffix: 'Gbps', dim: rate, unit: 'Gbps' },
  { suffix: 'WalltimeHours', dim: time, unit: 'h' },
  { suffix: 'walltimeHours', dim: time, unit: 'h' },
  { suffix: 'Ms', dim: time, unit: 'ms' },
]

export function unitOfField(
  field: string,
): { unit: string; units: string[]; perYear: boolean } | undefined {
  const s = suffixes.find((x) => field.endsWith(x.suffix))
  return s && { unit: s.unit, units: Object.keys(s.dim.units), perYear: s.perYear === true }
}

const quantity =
  /^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z/]+?)(\/(?:y|yr|year))?\s*$/

/** Converts `"72 h"` for field `maxWalltimeHours` to 72; returns an error message instead when it cannot. */
export function parseQuantity(field: string, text: string): number | { error: string } {
  const s = suffixes.find((x) => field.endsWith(x.suffix))
  if (!s) return { error: `expected a number (this field takes no unit)` }
  const m = quantity.exec(text)
  if (!m) {
    return {
      error: `expected a number or a quantity like "12 ${s.unit}${s.perYear ? '/y' : ''}", got "${text}"`,
    }
  }
  const [, num, unit, perYear] = m
  if (s.perYear && !perYear) {
    return { error: `expected a rate per year like "12 PB/y", got "${text}"` }
  }
  if (!s.perYear && perYear) return { error: `this field is not per year: write "${num} ${unit}"` }
  const factor = s.dim.units[unit!]
  if (factor === undefined) {
    return { error: `unknown unit '${unit}' (use one of ${Object.keys(s.dim.units).join(', ')})` }
  }
  const value = (Number(num) * factor) / s.dim.units[s.unit]!
  // Rounded to 12 significant digits so that "0.1 PB" becomes 100 TB, not 99.99999999999999.
  return Number(value.toPrecision(12))
}
