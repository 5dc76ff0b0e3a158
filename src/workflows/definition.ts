/**
 * Reads a workflow YAML document: YAML syntax, then the JSON Schema, each error reported with
 * the file, line, column and path of the offending node, so users can jump to it.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { isMap, type Document, type LineCounter } from 'yaml'
import { WorkflowDocumentSchema, type WorkflowDocument } from '../contract/index.js'
import {
  ContinuumError,
  parseYamlBounded,
  yamlToValue,
  type YamlLimits,
} from '../platform/index.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }))
// Compiled on first use, not at import: every start of the server and the CLI paid for it.
let validateDocument: ValidateFunction<WorkflowDocument> | undefined

export type PathSegment = string | number

export interface DefinitionError {
  /** `file:line:column path`, e.g. `wf.yaml:12:7 tasks[2].needs[0]`. */
  field: string
  message: string
  file: string
  line: number | null
  column: number | null
  path: string
}

/** Locates paths of the parsed document, for errors found after parsing. */
export class SourceMap {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  error(path: readonly PathSegment[], message: string): DefinitionError {
    const node = this.nearestNode(path)
    const range = (node as { range?: [number, number, number] } | undefined)?.range
    const pos = range ? this.lines.linePos(range[0]) : undefined
    const shown = formatPath(path)
    const where = pos ? `${this.file}:${pos.line}:${pos.col}` : this.file
    return {
      field: `${where} ${shown}`.trim(),
      message,
      file: this.file,
      line: pos?.line ?? null,
      column: pos?.col ?? null,
      path: shown,
    }
  }

  private nearestNode(path: readonly PathSegment[]): unknown {
    // An error about a missing key points at its parent, the closest node that exists.
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true)
      if (node !== undefined && node !== null && typeof node === 'object') return node
    }
    return this.doc.contents
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out
}

export function definitionFailure(file: string, errors: DefinitionError[]): ContinuumError {
  const first = errors[0]
  const summary = first ? `${first.field}: ${first.message}` : 'invalid'
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  return new ContinuumError('WORKFLOW_INVALID', `workflow ${file} is invalid: ${summary}${more}`, {
    file,
    errors,
  })
}

export interface ParsedDefinition {
  document: WorkflowDocument
  source: SourceMap
}

/**
 * What one workflow document may hold. The parser is linear, about 1–2 µs per byte on a loaded
 * two-core machine, so 64 KiB bounds one submission's parse to tens of milliseconds; long lists
 * belong in parameters given on submission or in a dataset scatter. Over a limit:
 * PAYLOAD_TOO_LARGE or INPUT_TOO_COMPLEX, at once, before any parsing.
 */
export const workflowYamlLimits: YamlLimits = {
  maxBytes: 64 * 1024,
  maxNodes: 10_000,
  maxDepth: 32,
  maxAliases: 200,
  maxKeys: 20_000,
}

/** Parses and schema-checks a workflow; throws WORKFLOW_INVALID listing every problem found. */
export function parseDefinition(text: string, file = 'workflow.yaml'): ParsedDefinition {
  const { doc, lines } = parseYamlBounded(text, workflowYamlLimits, `workflow ${file}`)
  const source = new SourceMap(file, doc, lines)
  if (doc.errors.length > 0) {
    throw definitionFailure(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0]
        const where = pos ? `${file}:${pos.line}:${pos.col}` : file
        return {
          field: where,
          message: `YAML: ${e.message.split('\n')[0] ?? e.code}`,
          file,
          line: pos?.line ?? null,
          column: pos?.col ?? null,
          path: '',
        }
      }),
    )
  }
  const value = yamlToValue(doc, workflowYamlLimits, `workflow ${file}`)
  if (!isMap(doc.contents)) {
    throw definitionFailure(file, [
      source.error([], 'a workflow is a mapping with at least name and tasks'),
    ])
  }
  validateDocument ??= ajv.compile<WorkflowDocument>(WorkflowDocumentSchema as object)
  if (!validateDocument(value)) {
    throw definitionFailure(file, schemaErrors(validateDocument.errors ?? [], source))
  }
  return { document: value, source }
}

function schemaErrors(errors: ErrorObject[], source: SourceMap): DefinitionError[] {
  const out: DefinitionError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    // Union branches each report; keep one message per path.
    const path: PathSegment[] = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    const p = e.params as Record<string, unknown>
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'additionalProperties') {
      path.push(String(p.additionalProperty))
      message = 'unknown field'
    } else if (e.keyword === 'required') {
      message = `'${String(p.missingProperty)}' is required`
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(p.allowedValues as unknown[]).join(', ')}`
    } else if (e.keyword === 'anyOf') {
      message = 'has the wrong type or form'
    }
    const key = formatPath(path)
    if (seen.has(key)) continue
    seen.add(key)
    out.push(source.error(path, message))
  }
  return out
}
