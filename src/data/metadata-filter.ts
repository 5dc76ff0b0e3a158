/**
 * Metadata filters of `continuum data ls --filter 'run>1000,stream=physics'`: parsed here (pure)
 * into conditions the DID store turns into jsonb predicates.
 */
import { ContinuumError } from '../platform/index.js'

export type MetaCondition =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: '<' | '>' | '<=' | '>='; value: number }

const conditionShape = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})(!=|>=|<=|=|<|>)(.{1,1000})$/

export function parseMetaFilter(filter: string): MetaCondition[] {
  const out: MetaCondition[] = []
  for (const raw of filter.split(',')) {
    const part = raw.trim()
    if (part === '') continue
    const m = conditionShape.exec(part)
    if (!m) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `filter: '${part}' is not key=value, key!=value, key>n, key<n, key>=n or key<=n`,
        { field: 'filter', value: part },
      )
    }
    const [, key, op, value] = m as unknown as [string, string, MetaCondition['op'], string]
    if (op === '=' || op === '!=') {
      out.push({ key, op, value })
    } else {
      const n = Number(value)
      if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) || !Number.isFinite(n)) {
        throw new ContinuumError(
          'VALIDATION_FAILED',
          `filter: '${part}' compares with '${op}' and needs a number`,
          { field: 'filter', value: part },
        )
      }
      out.push({ key, op, value: n })
    }
  }
  if (out.length > 20) {
    throw new ContinuumError('VALIDATION_FAILED', 'filter: at most 20 conditions', {
      field: 'filter',
    })
  }
  return out
}
