/**
 * Client calls of identity, and the device authorisation grant (RFC 8628) against any OIDC
 * issuer — the built-in one or a community IdP — the way oidc-agent users know it.
 */
import type {
  DeviceAuthorizationAnswer,
  Revocation,
  RevocationCreate,
  TokenResponse,
  WhoAmI,
} from '../contract/index.js'
import { ContinuumError } from '../platform/browser.js'
import type { HttpTransport } from './http.js'

export class AuthClient {
  constructor(private readonly http: HttpTransport) {}

  whoami(): Promise<WhoAmI> {
    return this.http.request('GET', '/auth/me')
  }

  async revocations(): Promise<Revocation[]> {
    return (await this.http.request<{ items: Revocation[] }>('GET', '/auth/revocations')).items
  }

  revoke(input: RevocationCreate): Promise<Revocation> {
    return this.http.request('POST', '/auth/revocations', { body: input })
  }
}

export interface DeviceLoginOptions {
  /** Issuer base URL; its /.well-known/openid-configuration is read. */
  issuer: string
  clientId: string
  scope?: string
  /** Shows the code and URL to the person. */
  prompt(authorization: DeviceAuthorizationAnswer): void
  /** Waits between polls (injected so tests do not sleep). */
  wait?: (seconds: number) => Promise<void>
  fetch?: typeof fetch
}

/** Runs the device flow to the end: discovery, authorisation request, polling; returns the token. */
export async function deviceLogin(options: DeviceLoginOptions): Promise<TokenResponse> {
  const fetchImpl = options.fetch ?? fetch
  const wait =
    options.wait ?? ((s: number) => new Promise<void>((resolve) => setTimeout(resolve, s * 1000)))
  const metadata = await json<{ device_authorization_endpoint?: string; token_endpoint?: string }>(
    fetchImpl,
    `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
  )
  if (!metadata.device_authorization_endpoint || !metadata.token_endpoint) {
    throw new ContinuumError(
      'UNAUTHENTICATED',
      `issuer ${options.issuer} does not offer the device authorisation grant`,
    )
  }
  const authorization = await json<DeviceAuthorizationAnswer>(
    fetchImpl,
    metadata.device_authorization_endpoint,
    { client_id: options.clientId, scope: options.scope ?? 'openid wlcg.groups' },
  )
  options.prompt(authorization)
  let interval = authorization.interval || 5
  const deadline = Date.now() + authorization.expires_in * 1000
  while (Date.now() < deadline) {
    const response = await post(fetchImpl, metadata.token_endpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: authorization.device_code,
      client_id: options.clientId,
    })
    const body = (await response.json()) as TokenResponse & {
      error?: string
      error_description?: string
    }
    if (response.ok) return body
    if (body.error === 'authorization_pending') await wait(interval)
    else if (body.error === 'slow_down') await wait((interval += 5))
    else {
      throw new ContinuumError(
        'UNAUTHENTICATED',
        `login failed: ${body.error ?? response.status} ${body.error_description ?? ''}`.trim(),
        { reason: body.error },
      )
    }
  }
  throw new ContinuumError('TIMEOUT', 'the login code expired before it was approved')
}

async function json<T>(
  fetchImpl: typeof fetch,
  url: string,
  form?: Record<string, string>,
): Promise<T> {
  let response: Response
  try {
    response = form
      ? await post(fetchImpl, url, form)
      : await fetchImpl(url, { headers: { accept: 'application/json' } })
  } catch (cause) {
    throw new ContinuumError('SERVER_UNREACHABLE', `cannot reach ${url}`, { url }, { cause })
  }
  if (!response.ok) {
    throw new ContinuumError('UNAUTHENTICATED', `${url} answered HTTP ${response.status}`, { url })
  }
  return (await response.json()) as T
}

function post(
  fetchImpl: typeof fetch,
  url: string,
  form: Record<string, string>,
): Promise<Response> {
  return fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  })
}
