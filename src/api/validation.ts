/**
 * Request validation. Bodies are checked strictly: no type coercion, unknown fields rejected
 * (never silently dropped), every error reported with the field's path. Query strings and path
 * parameters arrive as text, so only they are coerced to the declared types.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import { ContinuumError } from '../platform/index.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    removeAdditional: false,
    ...options,
  })
  addFormats(ajv)
  return ajv
}

// Made on first use: each compiles Ajv's meta-schemas and formats, which a starting server
// need not wait for.
let strictAjv: Ajv | undefined
let coercingAjv: Ajv | undefined
const ajvFor = (httpPart: string | undefined): Ajv =>
  httpPart === 'body'
    ? (strictAjv ??= makeAjv({ coerceTypes: false }))
    : (coercingAjv ??= makeAjv({ coerceTypes: true }))

/**
 * Each route's validator is compiled by its first request: compiling all of them when the
 * server starts took ~0.7 s of every `continuum serve`/`demo` start.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  let compiled: ValidateFunction | undefined
  const validate = (data: unknown) => {
    compiled ??= ajvFor(httpPart).compile(schema as object)
    const valid = compiled(data)
    validate.errors = compiled.errors ?? null
    return valid
  }
  validate.errors = null as ErrorObject[] | null
  return validate
}

export interface FieldError {
  field: string
  message: string
}

/** Turns Ajv errors into one message and a list of per-field errors. */
export function validationError(errors: ErrorObject[], part: string): ContinuumError {
  const seen = new Set<string>()
  const fields: FieldError[] = []
  for (const e of errors) {
    const fe = describe(e, part)
    if (seen.has(fe.field)) continue
    seen.add(fe.field)
    fields.push(fe)
  }
  const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ')
  return new ContinuumError('VALIDATION_FAILED', message || `${part} is invalid`, {
    errors: fields,
  })
}

function describe(e: ErrorObject, part: string): FieldError {
  // Body fields are named bare (`url`), other parts with a prefix (`query.limit`, `params.id`).
  const prefix = part === 'body' ? [] : [part === 'querystring' ? 'query' : part]
  const base =
    [...prefix, ...e.instancePath.split('/').slice(1).map(unescapePointer)].join('.') || part
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return { field: join(base, part, String(p.additionalProperty)), message: 'unknown field' }
    case 'required':
      return { field: join(base, part, String(p.missingProperty)), message: 'is required' }
    case 'enum':
      return { field: base, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` }
    case 'type':
      return { field: base, message: `must be ${String(p.type).replace(',', ' or ')}` }
    case 'minProperties':
      return { field: base, message: `must have at least ${String(p.limit)} field(s)` }
    default:
      return { field: base, message: e.message ?? 'is invalid' }
  }
}

function join(base: string, part: string, key: string): string {
  return base === part && part === 'body' ? key : `${base}.${key}`
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~')
}
