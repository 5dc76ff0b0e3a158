/**
 * auth: who is calling. Verifies access tokens of trusted issuers (WLCG profile), runs the
 * built-in issuer, and keeps revoked memberships. Writes auth_device_codes and auth_revocations.
 */
export * from './identity.js'
export * from './wlcg.js'
export {
  TokenVerifier,
  allowedAlgorithms,
  wlcgAnyAudience,
  type TrustedIssuer,
  type VerifierOptions,
} from './verifier.js'
export {
  BuiltInIssuer,
  type BuiltInIssuerOptions,
  type MintClaims,
  type ScopePolicy,
  type ScopeRequester,
  type ServiceClient,
} from './built-in-issuer.js'
export {
  OAuthError,
  approveDevice,
  deviceGrantType,
  exchangeDeviceCode,
  PollPacer,
  findPendingDevice,
  startDeviceAuthorization,
  type DeviceAuthorization,
  type TokenAnswer,
} from './device-flow.js'
export { RevocationList, type Revocation } from './revocations.js'
