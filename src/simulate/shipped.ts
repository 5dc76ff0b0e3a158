/** The scenarios shipped in data/scenarios/, by name (the file name without `.yaml`). */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ScenarioList } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'
import { parseScenario } from './scenario.js'

export const scenariosDir = fileURLToPath(new URL('../../data/scenarios/', import.meta.url))

export function shippedScenarioNames(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort()
}

export function readShippedScenario(name: string): { text: string; file: string } {
  if (!shippedScenarioNames().includes(name)) {
    throw new ContinuumError('SCENARIO_NOT_FOUND', `no shipped scenario '${name}'`, {
      name,
      shipped: shippedScenarioNames(),
    })
  }
  const file = `${name}.yaml`
  return { text: readFileSync(`${scenariosDir}${file}`, 'utf8'), file }
}

export function listScenarios(): ScenarioList {
  return {
    items: shippedScenarioNames().map((name) => {
      const { text, file } = readShippedScenario(name)
      const s = parseScenario(text, file)
      return { name, title: s.title, days: s.days, description: s.description ?? '' }
    }),
  }
}
