/**
 * The CLI's stored token: `<home>/token.json`, mode 0600, written by `continuum login` and read
 * by every later command when no --token / CONTINUUM_TOKEN is given. Like oidc-agent, the token
 * belongs to the user's account alone.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'

export interface StoredToken {
  server: string
  issuer: string
  accessToken: string
  /** ISO time; undefined when the issuer did not say. */
  expiresAt: string | undefined
}

export function tokenFile(home: string): string {
  return path.join(home, 'token.json')
}

export function saveToken(home: string, token: StoredToken): void {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const file = tokenFile(home)
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(token, null, 2), { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
}

/** The stored token if there is one and it has not expired; `now` for tests. */
export function readToken(home: string, now = new Date()): StoredToken | undefined {
  const file = tokenFile(home)
  if (!existsSync(file)) return undefined
  try {
    const token = JSON.parse(readFileSync(file, 'utf8')) as StoredToken
    if (typeof token.accessToken !== 'string') return undefined
    if (token.expiresAt !== undefined && new Date(token.expiresAt) <= now) return undefined
    return token
  } catch {
    return undefined
  }
}

export function removeToken(home: string): void {
  rmSync(tokenFile(home), { force: true })
}
