/**
 * The web dashboard's static files (web/dist, built by Vite at `npm install`): `/` serves the
 * single page, `/assets/<file>` its hashed scripts and styles. Public like health and discovery —
 * the page holds no data; everything it shows comes from the gated API with the user's token.
 * Only files found in web/dist at start-up are served (no path from a request reaches the disk).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { Type } from '../../contract/index.js'
import { ContinuumError } from '../../platform/index.js'
import { routeSchema } from '../route-schema.js'

const defaultDist = fileURLToPath(new URL('../../../web/dist', import.meta.url))

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

/** The page may load only its own scripts and styles, and talk only to this server. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  // React and uPlot set element styles; no inline <style> from elsewhere is expected.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

interface Asset {
  body: Buffer
  /** Compressed once at start-up: the script is ~390 kB, ~125 kB gzipped. */
  gzip: Buffer | undefined
  type: string
}

function loadAssets(dist: string): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  const dir = path.join(dist, 'assets')
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return assets
  }
  for (const name of names) {
    const type = contentTypes[path.extname(name)]
    const file = path.join(dir, name)
    if (!type || !statSync(file).isFile()) continue
    const body = readFileSync(file)
    const compressible = type.startsWith('text/') || type === 'image/svg+xml'
    assets.set(name, { body, gzip: compressible ? gzipSync(body) : undefined, type })
  }
  return assets
}

function readIndex(dist: string): Buffer | undefined {
  try {
    return readFileSync(path.join(dist, 'index.html'))
  } catch {
    return undefined
  }
}

const notBuilt = Buffer.from(
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Continuum</title></head>
<body><h1>Continuum</h1><p>The dashboard is not built. Run <code>npm run build:web</code> (or
<code>npm install</code>) and restart the server. The API is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>`,
)

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
}

export function webRoutes(app: FastifyInstance, options: { dist?: string } = {}): void {
  const dist = options.dist ?? defaultDist
  const index = readIndex(dist)
  const assets = loadAssets(dist)
  const tags = ['web']

  app.get('/', {
    config: { action: 'web.page.read', public: true },
    logLevel: 'warn',
    schema: routeSchema({
      operationId: 'getDashboard',
      tags,
      summary: 'The web dashboard (single page; data comes from the API with your token)',
      response: { 200: Type.String({ description: 'HTML' }) },
    }),
    handler: async (_request, reply) =>
      secure(reply)
        .type('text/html; charset=utf-8')
        // The page names hashed assets; it must be revalidated so a new build is picked up.
        .header('cache-control', 'no-cache')
        .send(index ?? notBuilt),
  })

  app.get<{ Params: { file: string } }>('/assets/:file', {
    config: { action: 'web.asset.read', public: true },
    logLevel: 'warn',
    schema: routeSchema({
      operationId: 'getDashboardAsset',
      tags,
      summary: 'A script, style or image of the web dashboard (content-hashed, cached for a year)',
      params: Type.Object(
        { file: Type.String({ pattern: '^[A-Za-z0-9._-]{1,200}$' }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.String({ description: 'the file' }) },
    }),
    handler: async (request, reply) => {
      const asset = assets.get(request.params.file)
      if (!asset) {
        throw new ContinuumError('ROUTE_NOT_FOUND', `no dashboard asset ${request.params.file}`)
      }
      secure(reply)
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'accept-encoding')
      const accepts = String(request.headers['accept-encoding'] ?? '')
      if (asset.gzip && /\bgzip\b/.test(accepts)) {
        return reply.header('content-encoding', 'gzip').send(asset.gzip)
      }
      return reply.send(asset.body)
    },
  })
}
