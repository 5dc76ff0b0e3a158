/**
 * Reads a what-if scenario: bounded YAML, the JSON Schema of contract/simulation.ts (every
 * problem listed with its path and line), then the references — sites named by ingest, links,
 * outages and the landscape — and the expressions, checked with the real expression parser.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { ScenarioSchema, type Scenario } from '../contract/index.js'
import { parseExpression } from '../data/index.js'
import {
  ContinuumError,
  parseYamlBounded,
  yamlToValue,
  type YamlLimits,
} from '../platform/index.js'
import { resolveLandscape } from './landscape-sites.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
let validate: ValidateFunction<Scenario> | undefined

const scenarioLimits: YamlLimits = {
  maxBytes: 1_000_000,
  maxNodes: 200_000,
  maxAliases: 100,
  maxDepth: 20,
  maxKeys: 50_000,
}

export interface ScenarioProblem {
  field: string
  message: string
}

function invalid(file: string, errors: ScenarioProblem[]): ContinuumError {
  return new ContinuumError(
    'SCENARIO_INVALID',
    `scenario ${file}: ${errors.length} problem(s): ${errors
      .slice(0, 3)
      .map((e) => `${e.field} ${e.message}`)
      .join('; ')}`,
    { file, errors: errors.slice(0, 100) },
  )
}

/** Parses and checks a scenario; throws SCENARIO_INVALID or SCENARIO_UNKNOWN_SITE. */
export function parseScenario(text: string, file = 'scenario.yaml'): Scenario {
  const { doc, lines } = parseYamlBounded(text, scenarioLimits, `scenario ${file}`)
  if (doc.errors.length > 0) {
    throw invalid(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0]
        return {
          field: pos ? `${file}:${pos.line}:${pos.col}` : file,
          message: `YAML: ${e.message.split('\n')[0] ?? e.code}`,
        }
      }),
    )
  }
  const value = yamlToValue(doc, scenarioLimits, `scenario ${file}`)
  validate ??= addFormats(new Ajv({ allErrors: true, strict: false })).compile<Scenario>(
    ScenarioSchema as object,
  )
  if (!validate(value)) {
    throw invalid(
      file,
      schemaProblems(validate.errors ?? [], (path) => {
        const node = doc.getIn(path, true) as { range?: [number, number] } | undefined
        const at = node?.range ? lines.linePos(node.range[0]) : undefined
        return at ? `${file}:${at.line}:${at.col}` : file
      }),
    )
  }
  return checkReferences(resolveLandscape(value), file)
}

function schemaProblems(
  errors: ErrorObject[],
  where: (path: Array<string | number>) => string,
): ScenarioProblem[] {
  const out: ScenarioProblem[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    const path = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')))
    const p = e.params as Record<string, unknown>
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'additionalProperties') {
      message = `unknown field '${String(p.additionalProperty)}'`
    } else if (e.keyword === 'required') message = `'${String(p.missingProperty)}' is required`
    const field = `${where(path)} ${path.join('.') || '(document)'}`
    if (seen.has(field + message)) continue
    seen.add(field + message)
    out.push({ field, message })
  }
  return out
}

function checkReferences(s: Scenario, file: string): Scenario {
  const names = new Set<string>()
  const duplicates: ScenarioProblem[] = []
  s.sites.forEach((site, i) => {
    if (names.has(site.name)) {
      duplicates.push({ field: `sites.${i}.name`, message: `duplicate site '${site.name}'` })
    }
    names.add(site.name)
  })
  const problems: ScenarioProblem[] = [...duplicates]
  const expressions: Array<[string, string]> = []
  s.communities.forEach((c, ci) => {
    c.rules?.forEach((r, i) =>
      expressions.push([`communities.${ci}.rules.${i}.expression`, r.expression]),
    )
    c.workflows?.forEach((w, i) => {
      if (w.sites) expressions.push([`communities.${ci}.workflows.${i}.sites`, w.sites])
      if (w.startDay !== undefined && w.endDay !== undefined && w.endDay < w.startDay) {
        problems.push({
          field: `communities.${ci}.workflows.${i}.endDay`,
          message: 'is before startDay',
        })
      }
    })
    c.allocations?.forEach((a, i) =>
      expressions.push([`communities.${ci}.allocations.${i}.services`, a.services]),
    )
  })
  for (const [field, expression] of expressions) {
    try {
      parseExpression(expression)
    } catch (err) {
      problems.push({ field, message: err instanceof Error ? err.message : String(err) })
    }
  }
  if (problems.length > 0) throw invalid(file, problems)

  const unknown: ScenarioProblem[] = []
  const ref = (field: string, site: string) => {
    if (!names.has(site)) unknown.push({ field, message: `unknown site '${site}'` })
  }
  s.links?.forEach((l, i) => {
    ref(`links.${i}.from`, l.from)
    ref(`links.${i}.to`, l.to)
  })
  s.outages?.forEach((o, i) => {
    if (o.site) ref(`outages.${i}.site`, o.site)
    if (o.link) {
      ref(`outages.${i}.link.from`, o.link.from)
      ref(`outages.${i}.link.to`, o.link.to)
    }
  })
  s.communities.forEach((c, ci) =>
    c.ingest?.forEach((g, i) => ref(`communities.${ci}.ingest.${i}.site`, g.site)),
  )
  if (unknown.length > 0) {
    throw new ContinuumError(
      'SCENARIO_UNKNOWN_SITE',
      `scenario ${file}: ${unknown.map((u) => `${u.field}: ${u.message}`).join('; ')}`,
      { file, errors: unknown, sites: [...names] },
    )
  }
  return s
}
