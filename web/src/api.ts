/**
 * The dashboard reaches Continuum only through the typed client over the HTTP API, with the
 * user's token — the same gate and the same policies as the CLI.
 */
import { ContinuumClient, deviceLogin } from '../../src/client/index.js'

export { ContinuumClient, deviceLogin }
export type * from '../../src/client/index.js'

const tokenKey = 'continuum.token'

/** Tokens live in sessionStorage: gone when the tab closes, not shared with other tabs. */
export function storedToken(): string | undefined {
  return sessionStorage.getItem(tokenKey) ?? undefined
}

export function storeToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(tokenKey)
  else sessionStorage.setItem(tokenKey, token)
}

export function makeClient(token: string | undefined): ContinuumClient {
  return new ContinuumClient({ server: window.location.origin, token, timeoutMs: 30_000 })
}

/** Every item of a paged listing (the landscape is a few hundred records at most). */
export async function listAll<T>(
  list: (query: { limit: number; cursor?: string }) => Promise<{ items: T[]; next: string | null }>,
): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  do {
    const page = await list(cursor === undefined ? { limit: 500 } : { limit: 500, cursor })
    items.push(...page.items)
    cursor = page.next ?? undefined
  } while (cursor !== undefined && items.length < 20_000)
  return items
}
