/**
 * The grammar of data identifiers (`scope:name`), checked before anything touches a path or a
 * URL; and the pure mappings from an identifier to its namespace path (for WLCG
 * `storage.read:/path` scopes) and to its deterministic physical path on an endpoint.
 */
import { createHash } from 'node:crypto'
import { ContinuumError } from '../platform/index.js'

export const maxScopeLength = 25
export const maxNameLength = 250

// Rucio's grammar, narrowed: no '/', so a name is one path segment and cannot climb directories.
// Dot-separated segments, each starting with a letter or digit: `atlas`, `user.jdoe`. No empty
// segment (`user.`, `.x`, `a..b`): dotted scopes become nested folders, and an empty one made
// `user//…` paths that broke uploads.
const scopeShape = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$/
const nameShape = /^[A-Za-z0-9][A-Za-z0-9_.:+-]*$/

export interface Did {
  scope: string
  name: string
}

function invalid(did: string, problem: string): ContinuumError {
  return new ContinuumError('DID_INVALID', `data identifier '${did.slice(0, 300)}': ${problem}`, {
    did: did.slice(0, 300),
    problem,
  })
}

export function assertScope(scope: string): void {
  if (scope.length === 0) throw invalid(scope, 'the scope is empty')
  if (scope.length > maxScopeLength) {
    throw invalid(scope, `the scope is ${scope.length} characters long; at most ${maxScopeLength}`)
  }
  if (!scopeShape.test(scope)) {
    throw invalid(
      scope,
      "a scope is dot-separated parts, each starting with a letter or digit and holding only letters, digits, '_', '-' (no empty part: no leading, trailing or double dot)",
    )
  }
  if (scope.includes('..')) throw invalid(scope, "'..' is not allowed")
}

export function assertName(name: string, shown = name): void {
  if (name.length === 0) throw invalid(shown, 'the name is empty')
  if (name.length > maxNameLength) {
    throw invalid(shown, `the name is ${name.length} characters long; at most ${maxNameLength}`)
  }
  if (name.includes('/')) throw invalid(shown, "'/' is not allowed in a name")
  if (name.includes('..')) throw invalid(shown, "'..' is not allowed in a name")
  if (!nameShape.test(name)) {
    throw invalid(
      shown,
      "a name starts with a letter or digit and holds only letters, digits, '_', '.', ':', '+', '-'",
    )
  }
}

/** Checks both parts; returns the identifier for chaining. */
export function assertDid(did: Did): Did {
  assertScope(did.scope)
  assertName(did.name, `${did.scope}:${did.name}`)
  return did
}

/** Parses `scope:name` (the first ':' separates; names may contain ':' as in Rucio). */
export function parseDid(text: string): Did {
  const colon = text.indexOf(':')
  if (colon < 0) throw invalid(text, "expected 'scope:name'")
  return assertDid({ scope: text.slice(0, colon), name: text.slice(colon + 1) })
}

export function formatDid(did: Did): string {
  return `${did.scope}:${did.name}`
}

/**
 * The identifier's place in the global namespace, `/scope/name`: what WLCG storage scopes
 * (`storage.read:/atlas`) are matched against. Validates first, so it never yields `..`.
 */
export function namespacePath(did: Did): string {
  assertDid(did)
  return `/${did.scope}/${did.name}`
}

/**
 * Deterministic physical path below an endpoint's prefix, as Rucio's hash layout:
 * `scope/ab/cd/name` where `abcd` starts the md5 of `scope:name`. Spreads files over 65,536
 * directories per scope and is reproducible from the identifier alone. Dotted scopes such as
 * `user.jdoe` become nested directories (`user/jdoe/…`).
 */
export function deterministicPath(did: Did): string {
  assertDid(did)
  const hash = createHash('md5').update(`${did.scope}:${did.name}`).digest('hex')
  const scopeDirs =
    did.scope.startsWith('user.') || did.scope.startsWith('group.')
      ? did.scope.replace('.', '/')
      : did.scope
  return `${scopeDirs}/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${did.name}`
}
