/**
 * Which storage URLs a site accepts for its endpoints. Workers act on these URLs with their own
 * power, so an endpoint is a way to make the server read and write somewhere: `file://` only
 * under the configured storage roots, never link-local or cloud-metadata addresses, loopback
 * and private ranges only where the operator allows them. Every refusal is the same error
 * code and never depends on whether something answers at the address: no probe is made, so
 * nothing about a host's open ports can be learnt from registering it.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { protocolSchemes } from '../contract/index.js'
import { ContinuumError } from '../platform/index.js'

export const endpointNetworks = ['loopback', 'private'] as const
export type EndpointNetwork = (typeof endpointNetworks)[number]

export interface EndpointUrlPolicy {
  /** Folders under which file:// endpoints may live (absolute, real paths). */
  storageRoots: readonly string[]
  /** Address ranges allowed besides public ones. */
  networks: readonly EndpointNetwork[]
}

let current: EndpointUrlPolicy = { storageRoots: [], networks: [] }

/** Set once at start-up from the configuration (`storageRoots`, `endpointNetworks`). */
export function configureEndpointUrls(policy: EndpointUrlPolicy): void {
  current = {
    storageRoots: policy.storageRoots.map((r) => path.resolve(r)),
    networks: [...policy.networks],
  }
}

export function endpointUrlPolicy(): EndpointUrlPolicy {
  return current
}

/** Throws ENDPOINT_URL_REFUSED unless the URL is one this site may act on. */
export async function assertEndpointUrl(
  raw: string,
  policy: EndpointUrlPolicy = current,
): Promise<void> {
  const reason = await refusal(raw, policy)
  if (reason !== undefined) {
    throw new ContinuumError(
      'ENDPOINT_URL_REFUSED',
      `storage URL '${raw}' is refused by this site's URL policy: ${reason}`,
      { url: raw },
    )
  }
}

async function refusal(raw: string, policy: EndpointUrlPolicy): Promise<string | undefined> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'not a URL'
  }
  const scheme = url.protocol.slice(0, -1)
  if (!(protocolSchemes as readonly string[]).includes(scheme)) return `scheme '${scheme}'`
  if (url.username !== '' || url.password !== '') return 'credentials in the URL'
  if (scheme === 'file') {
    const dir = fileURLToPath(url)
    const inside = policy.storageRoots.some(
      (root) => dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`),
    )
    return inside ? undefined : 'file:// URLs must be under a configured storage root'
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const addresses =
    isIP(host) !== 0 ? [host] : loopbackName(host) ? ['127.0.0.1'] : await resolve(host)
  for (const address of addresses) {
    const range = addressRange(address)
    if (range === 'public') continue
    if (range === 'forbidden') return 'link-local, metadata and unspecified addresses are refused'
    if (!policy.networks.includes(range)) return `${range} addresses are not allowed here`
  }
  return undefined
}

/**
 * Names that are the machine itself whatever the resolver says (RFC 6761's `localhost` and
 * its subdomains, and the names Debian's /etc/hosts gives the loopback addresses): decided
 * without a lookup, so a slow resolver cannot let them through as names that resolve to nothing.
 */
function loopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '')
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === 'localhost.localdomain' ||
    name === 'ip6-localhost' ||
    name === 'ip6-loopback'
  )
}

/**
 * The addresses a name has now. A name that does not resolve (or not within 2 s) reaches
 * nothing today and is accepted: refusing it would make registration depend on the resolver,
 * and the transfer fails cleanly later.
 */
async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string[]>((done) => {
    timer = setTimeout(() => done([]), 2000)
  })
  try {
    return await Promise.race([
      lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((a) => a.address),
        () => [],
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

type Range = 'public' | 'forbidden' | EndpointNetwork

/** The class of an IPv4 or IPv6 address (IPv4-mapped IPv6 as its IPv4). */
export function addressRange(address: string): Range {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return addressRange(mapped[1] as string)
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (hex) {
    const [hi, lo] = [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16)]
    return addressRange(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`)
  }
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number)
    if (a === 0 || (a === 169 && b === 254)) return 'forbidden'
    if (a === 100 && b === 100) return 'forbidden' // Alibaba's metadata range
    if (a === 127) return 'loopback'
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
    if (a === 100 && b >= 64 && b <= 127) return 'private' // carrier-grade NAT
    return 'public'
  }
  const v6 = address.toLowerCase()
  if (v6 === '::') return 'forbidden'
  if (v6 === '::1') return 'loopback'
  if (/^fe[89ab]/.test(v6)) return 'forbidden' // fe80::/10 link-local
  if (v6.startsWith('fd00:ec2::')) return 'forbidden' // AWS metadata over IPv6
  if (/^f[cd]/.test(v6)) return 'private' // fc00::/7 unique local
  return 'public'
}
