/**
 * An external OIDC identity provider on a random loopback port, as EGI Check-in or INDIGO IAM
 * would be: discovery document and JWKS over real HTTP, with ES256 and RS256 keys; counts the
 * JWKS downloads so tests can see caching and refresh.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

export interface TestIdp {
  issuer: string
  jwksFetches: number
  /** Adds a key to the published JWKS (rotation at the IdP). */
  addKey(kid: string, alg: 'ES256' | 'RS256'): Promise<void>
  sign(
    claims: Record<string, unknown>,
    options?: { kid?: string; alg?: 'ES256' | 'RS256' },
  ): Promise<string>
  close(): Promise<void>
}

export async function startTestIdp(): Promise<TestIdp> {
  const keys = new Map<string, { alg: 'ES256' | 'RS256'; privateKey: CryptoKey; publicJwk: JWK }>()
  const published = new Set<string>()
  let issuer = ''
  const idp: TestIdp = {
    issuer: '',
    jwksFetches: 0,
    async addKey(kid, alg) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
      keys.set(kid, {
        alg,
        privateKey,
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
      })
      published.add(kid)
    },
    async sign(claims, options = {}) {
      const kid = options.kid ?? 'idp-es256'
      const key = keys.get(kid)
      if (!key) throw new Error(`no key ${kid}`)
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ iat: now, exp: now + 600, 'wlcg.ver': '1.0', ...claims })
        .setProtectedHeader({ alg: options.alg ?? key.alg, kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .sign(key.privateKey)
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
    } else if (req.url === '/jwks') {
      idp.jwksFetches++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: [...published].map((kid) => keys.get(kid)?.publicJwk) }))
    } else {
      res.statusCode = 404
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  idp.issuer = issuer
  await idp.addKey('idp-es256', 'ES256')
  await idp.addKey('idp-rs256', 'RS256')
  return idp
}
