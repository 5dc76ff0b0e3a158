/** Shared by the `continuum practice` commands: reading their files and arguments, building commands. */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { ContinuumError } from '../../platform/browser.js'
import { withExamples } from '../context.js'

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

/** `@file` reads the text from a file; anything else is the text itself. */
export function textOrFile(value: string): string {
  return value.startsWith('@') ? readText(value.slice(1)) : value
}

/** A command with its description and, when given, its examples (`--help` shows them). */
export const cmd = (name: string, description: string, ...examples: string[]) => {
  const c = new Command(name).description(description)
  return examples.length > 0 ? withExamples(c, ...examples) : c
}
