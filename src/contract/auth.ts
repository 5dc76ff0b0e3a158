/** Wire schemas of identity: who am I, revoked memberships, and the OAuth endpoints' answers. */
import { NameSchema, TimestampSchema, Type, type Static } from './common.js'

export const WhoAmISchema = Type.Object(
  {
    principal: Type.String(),
    issuer: Type.String(),
    subject: Type.String(),
    groups: Type.Array(Type.String()),
    communities: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    capabilityToken: Type.Boolean(),
    expiresAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type WhoAmI = Static<typeof WhoAmISchema>

export const RevocationSchema = Type.Object(
  {
    id: Type.String(),
    issuer: Type.String(),
    subject: Type.String(),
    community: Type.String(),
    createdBy: Type.String(),
    createdAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type Revocation = Static<typeof RevocationSchema>

export const RevocationCreateSchema = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 2048 }),
    subject: Type.String({ minLength: 1, maxLength: 255 }),
    community: NameSchema,
  },
  { additionalProperties: false },
)
export type RevocationCreate = Static<typeof RevocationCreateSchema>

export const RevocationListSchema = Type.Object(
  { items: Type.Array(RevocationSchema) },
  { additionalProperties: false },
)

/** RFC 8628 §3.2 */
export const DeviceAuthorizationSchema = Type.Object({
  device_code: Type.String(),
  user_code: Type.String(),
  verification_uri: Type.String(),
  verification_uri_complete: Type.String(),
  expires_in: Type.Integer(),
  interval: Type.Integer(),
})
export type DeviceAuthorizationAnswer = Static<typeof DeviceAuthorizationSchema>

/** RFC 6749 §5.1 */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
})
export type TokenResponse = Static<typeof TokenResponseSchema>

/** RFC 6749 §5.2 */
export const OAuthErrorSchema = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
})
