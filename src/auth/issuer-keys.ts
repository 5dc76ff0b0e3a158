/**
 * Signing keys of the built-in issuer. Kept in `<home>/keys/issuer.json` with mode 0600; a key
 * older than the rotation age is replaced at start-up, and the previous public key stays in the
 * JWKS so tokens signed before the rotation verify until they expire.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose'
import { ContinuumError, newId } from '../platform/index.js'

export const signingAlgorithm = 'RS256'

interface StoredKey {
  kid: string
  createdAt: string
  privateJwk: JWK
}

export interface SigningKey {
  kid: string
  createdAt: Date
  privateKey: CryptoKey
  publicJwk: JWK
}

export class IssuerKeys {
  private constructor(
    private keys: SigningKey[],
    private readonly file: string | undefined,
  ) {}

  /** Keys from `dir` (created, rotated as needed), or in memory only when `dir` is undefined. */
  static async open(
    dir: string | undefined,
    options: { now: Date; rotateAfterDays?: number },
  ): Promise<IssuerKeys> {
    const file = dir === undefined ? undefined : path.join(dir, 'issuer.json')
    const stored = file !== undefined && existsSync(file) ? readStored(file) : []
    const keys = await Promise.all(stored.map(toSigningKey))
    const set = new IssuerKeys(keys, file)
    const newest = keys[0]
    const maxAgeMs = (options.rotateAfterDays ?? 30) * 86_400_000
    if (!newest || options.now.getTime() - newest.createdAt.getTime() > maxAgeMs) {
      await set.rotate(options.now)
    }
    return set
  }

  /** Makes a new current key; keeps one previous key for verification. */
  async rotate(now: Date): Promise<void> {
    const { privateKey } = await generateKeyPair(signingAlgorithm, {
      extractable: true,
      modulusLength: 2048,
    })
    const kid = newId()
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: signingAlgorithm, use: 'sig' }
    this.keys = [
      await toSigningKey({ kid, createdAt: now.toISOString(), privateJwk }),
      ...this.keys,
    ].slice(0, 2)
    await this.save()
  }

  get current(): SigningKey {
    const key = this.keys[0]
    if (!key) throw new ContinuumError('INTERNAL', 'built-in issuer has no signing key')
    return key
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) }
  }

  verificationKeys(): JWTVerifyGetKey {
    return createLocalJWKSet(this.jwks())
  }

  private async save(): Promise<void> {
    if (this.file === undefined) return
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 })
    const stored: StoredKey[] = await Promise.all(
      this.keys.map(async (k) => ({
        kid: k.kid,
        createdAt: k.createdAt.toISOString(),
        privateJwk: {
          ...(await exportJWK(k.privateKey)),
          kid: k.kid,
          alg: signingAlgorithm,
          use: 'sig',
        },
      })),
    )
    const tmp = `${this.file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(stored, null, 2), { mode: 0o600 })
    chmodSync(tmp, 0o600)
    renameSync(tmp, this.file)
  }
}

function readStored(file: string): StoredKey[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown
    if (!Array.isArray(parsed)) throw new Error('not a list')
    return parsed as StoredKey[]
  } catch (cause) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `built-in issuer key file ${file} is unreadable`,
      { file },
      { cause },
    )
  }
}

async function toSigningKey(stored: StoredKey): Promise<SigningKey> {
  const privateKey = (await importJWK(stored.privateJwk, signingAlgorithm, {
    extractable: true,
  })) as CryptoKey
  const { kty, n, e } = stored.privateJwk
  return {
    kid: stored.kid,
    createdAt: new Date(stored.createdAt),
    privateKey,
    publicJwk: { kty, n, e, kid: stored.kid, alg: signingAlgorithm, use: 'sig' } as JWK,
  }
}
