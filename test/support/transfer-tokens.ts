/** A real built-in issuer minting transfer tokens, keeping every token it signed for inspection. */
import { BuiltInIssuer, type MintClaims } from '../../src/auth/index.js'
import type { Clock } from '../../src/platform/index.js'
import type { TokenMinter } from '../../src/transfers/index.js'

export async function recordingMinter(
  clock: Clock,
): Promise<{ tokens: TokenMinter; minted: string[] }> {
  const issuer = await BuiltInIssuer.create({
    url: 'http://127.0.0.1',
    clock,
    audience: 'continuum',
  })
  const minted: string[] = []
  const tokens = {
    mint: async (claims: MintClaims) => {
      const token = await issuer.mint(claims)
      minted.push(token)
      return token
    },
  }
  return { tokens, minted }
}
