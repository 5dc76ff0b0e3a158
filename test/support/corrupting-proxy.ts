/**
 * An HTTP proxy in front of a real WebDAV server that damages some of the files it serves: for
 * a GET it may flip one byte (same length, wrong checksum) or cut the body short (the length
 * header dropped, so the short body ends cleanly). Which requests are damaged is the test's
 * choice; the proxy counts what it did, so a test can check that every damaged copy was caught.
 */
import http from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export type Damage = 'none' | 'flip' | 'truncate'

export interface CorruptingProxy {
  url: string
  /** Damaged responses so far, by kind. */
  damaged: { flip: number; truncate: number }
  stop(): Promise<void>
}

/** `decide(path, n)`: what to do to the n-th (1-based) GET of `path`. */
export async function startCorruptingProxy(
  target: string,
  decide: (path: string, n: number) => Damage,
): Promise<CorruptingProxy> {
  const upstream = new URL(target)
  const gets = new Map<string, number>()
  const damaged = { flip: 0, truncate: 0 }
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    const n = req.method === 'GET' ? (gets.get(path) ?? 0) + 1 : 0
    if (req.method === 'GET') gets.set(path, n)
    const damage = req.method === 'GET' ? decide(path, n) : 'none'
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path,
        headers: req.headers,
      },
      (up) => {
        if (damage === 'none' || up.statusCode !== 200) {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
          return
        }
        const chunks: Buffer[] = []
        up.on('data', (c: Buffer) => chunks.push(c))
        up.on('end', () => {
          const body = Buffer.concat(chunks)
          const headers = { ...up.headers }
          delete headers['content-length']
          if (damage === 'flip' && body.length > 0) {
            const at = Math.floor(body.length / 2)
            body[at] = (body[at]! ^ 0xff) & 0xff
            damaged.flip++
            res.writeHead(200, { ...headers, 'content-length': String(body.length) })
            res.end(body)
          } else {
            damaged.truncate++
            res.writeHead(200, headers)
            res.end(body.subarray(0, Math.floor(body.length / 2)))
          }
        })
      },
    )
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  })
  const listening = await listenOnLoopback(server)
  return { ...listening, damaged }
}
