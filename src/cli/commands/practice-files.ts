/** Reading the YAML files `continuum practice` takes (questionnaires, answers, interviews). */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ContinuumError } from '../../platform/browser.js'

/** A YAML (or JSON) file holding one map; INVALID_ARGUMENT names the file otherwise. */
export function readYamlMap(file: string): Record<string, unknown> {
  let value: unknown
  try {
    value = parseYaml(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ContinuumError('INVALID_ARGUMENT', `${file}: ${(err as Error).message}`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ContinuumError('INVALID_ARGUMENT', `${file}: expected a map`)
  }
  return value as Record<string, unknown>
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new ContinuumError('INVALID_ARGUMENT', `${file}: ${(err as Error).message}`)
  }
}

export const collect = (v: string, prev: string[] = []) => [...prev, v]

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9][0-9]{0,5}$/.test(value)) {
    throw new ContinuumError('INVALID_ARGUMENT', `${flag}: expected a positive whole number`)
  }
  return Number(value)
}
