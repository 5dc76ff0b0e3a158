/**
 * The wire contract shared by the API (route schemas, OpenAPI), the client and the web UI:
 * TypeBox schemas, which are JSON Schema, and the TypeScript types derived from them.
 * This folder imports nothing but typebox, so browsers and scripts can use it.
 */
import Type, { type Static, type TSchema } from 'typebox'

export { Type, type Static, type TSchema }

/** Catalogue names: lower-case, URL- and shell-safe, stable keys that users type. */
export const NameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  description:
    "Lower-case letters, digits, '.', '_' and '-'; starts with a letter or digit; at most 63 characters.",
})

export const IdSchema = Type.String({
  format: 'uuid',
  description: 'A UUID (v7 for records created here).',
})

/** A path parameter that is either a record's UUID or its name. */
export const IdOrNameSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  description: 'Record id (UUID) or name.',
})

/** Free text may hold any character but NUL, which PostgreSQL cannot store. */
export const noNul = '^[^\\u0000]*$'

export const TitleSchema = Type.String({ minLength: 1, maxLength: 200, pattern: noNul })
export const TextSchema = (maxLength: number) => Type.String({ maxLength, pattern: noNul })
export const DescriptionSchema = Type.String({ maxLength: 4000, pattern: noNul })
export const UrlSchema = Type.String({ maxLength: 2048, format: 'uri', pattern: '^https?://' })
export const TimestampSchema = Type.String({ format: 'date-time' })

/**
 * `T | null`, written as JSON Schema 2020-12 `type: [t, 'null']` rather than `anyOf`, so that a
 * wrong type gets one clear error ("must be string,null") instead of one per branch.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: unknown }).type
  if (typeof type !== 'string') throw new Error('Nullable() takes a schema with a single type')
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] })
}

/** A closed set of strings, as `enum` (one error, and a clean OpenAPI). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/** Keyset paging: pass `next` back as `cursor` to get the following page. */
export const PageQuerySchema = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page (1–500).' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 512, description: 'The `next` value of the previous page.' }),
  ),
}

export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item),
      next: Nullable(
        Type.String({ description: 'Cursor of the next page; null on the last page.' }),
      ),
    },
    { additionalProperties: false },
  )
}

export interface Page<T> {
  items: T[]
  next: string | null
}

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable code from the error catalogue (docs/errors.md).' }),
      message: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorBody' },
)

export type ErrorBody = Static<typeof ErrorBodySchema>
