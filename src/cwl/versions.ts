/**
 * Features newer than a document's cwlVersion: a v1.0 or v1.1 document using them is invalid
 * (as the reference runner says), even when a v1.2 workflow runs it.
 */
import { CwlError } from './errors.js'
import { isObject } from './types.js'

type Raw = Record<string, unknown>

function list(raw: unknown): Raw[] {
  if (Array.isArray(raw)) return raw.filter(isObject)
  if (isObject(raw)) {
    return Object.entries(raw).map(([id, v]) => ({ ...(isObject(v) ? v : { type: v }), id }))
  }
  return []
}

function requirement(raw: Raw, cls: string): Raw[] {
  return [...list(raw.requirements), ...list(raw.hints)].filter(
    (r) => r.class === cls || r.id === cls,
  )
}

/** Throws when `raw`, written for `version`, uses a feature that version does not have. */
export function checkVersionFeatures(raw: Raw, version: string): void {
  const minor = Number(/^v1\.(\d+)/.exec(version)?.[1] ?? 2)
  if (minor >= 2) return
  const refuse = (feature: string, since: string): never => {
    throw new CwlError(
      'invalid',
      `${feature} needs cwlVersion ${since}; the document is ${version}`,
    )
  }
  for (const step of list(raw.steps)) {
    if (step.when !== undefined) refuse('a conditional step (when)', 'v1.2')
  }
  for (const req of requirement(raw, 'ResourceRequirement')) {
    for (const [k, v] of Object.entries(req)) {
      if (/M(in|ax)$/.test(k) && typeof v === 'number' && !Number.isInteger(v)) {
        refuse(`a fractional ResourceRequirement ${k}`, 'v1.2')
      }
    }
  }
  if (minor >= 1) return
  for (const p of [...list(raw.inputs), ...list(raw.outputs)]) {
    const sf = Array.isArray(p.secondaryFiles) ? p.secondaryFiles : [p.secondaryFiles]
    if (sf.some((s) => isObject(s) && 'pattern' in s)) {
      refuse('a secondaryFiles pattern object', 'v1.1')
    }
  }
}
