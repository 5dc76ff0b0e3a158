/**
 * A plain HTTP proxy in front of a real server that records each request's method, path and
 * headers, and passes everything through unchanged (bodies stream both ways). Tests use it to
 * see which credentials a storage server was actually given, where the server cannot check them.
 */
import http from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
}

export interface RecordingProxy {
  url: string
  requests: RecordedRequest[]
  stop(): Promise<void>
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target)
  const requests: RecordedRequest[] = []
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push({ method: req.method ?? '', path, headers: req.headers })
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path,
        // Raw names: XrdHttp 5.5 reads some header names case-sensitively.
        headers: req.rawHeaders,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders)
        up.pipe(res)
      },
    )
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  })
  const listening = await listenOnLoopback(server)
  return { ...listening, requests }
}
