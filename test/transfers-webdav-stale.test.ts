/**
 * A kept-alive connection the server closed while it sat in the pool: a GET, HEAD or DELETE
 * sent on it is cut before any answer, and is sent once more on a new connection; an upload
 * (its body cannot be read twice) is not, and fails as a network fault for the transfer's own
 * retry. A loopback HTTP server that hangs up on the second request of every connection.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type net from 'node:net'
import { describe, it } from 'node:test'
import { ContinuumError } from '../src/platform/index.js'
import { WebdavProtocol } from '../src/transfers/index.js'
import { listenOnLoopback } from './support/loopback-server.js'

async function hangingUpServer() {
  const served = new WeakMap<net.Socket, number>()
  const seen = { cut: 0, puts: 0 }
  const server = await listenOnLoopback(
    http.createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1
      served.set(req.socket, n)
      if (req.method === 'PUT') seen.puts++
      if (n > 1) {
        seen.cut++
        req.socket.destroy() // as if the idle connection had timed out on the server's side
        return
      }
      req.resume()
      req.on('end', () => {
        if (req.method === 'PUT') {
          res.writeHead(201).end()
        } else if (req.method === 'DELETE') {
          res.writeHead(204).end()
        } else {
          res
            .writeHead(200, { 'content-length': '5' })
            .end(req.method === 'HEAD' ? undefined : 'hi!!!')
        }
      })
    }),
  )
  return { ...server, seen }
}

/** Waits (on the event loop, not the clock) until the pool holds a connection to `url`. */
async function pooled(url: string): Promise<boolean> {
  const key = `${new URL(url).host}:`
  const free = () =>
    Object.entries(http.globalAgent.freeSockets).some(
      ([k, s]) => k.startsWith(key) && (s?.length ?? 0) > 0,
    )
  for (let i = 0; i < 1000 && !free(); i++) await new Promise((r) => setImmediate(r))
  return free()
}

describe('WebDAV on a connection the server closed', () => {
  it('sends a repeatable request again on a new connection, once', async () => {
    const server = await hangingUpServer()
    try {
      const dav = new WebdavProtocol()
      const url = `${server.url}/f.txt`
      await dav.delete(url)
      assert.ok(await pooled(server.url), 'a kept-alive connection waits in the pool')
      await dav.delete(url) // on the pooled connection, cut, then again on a new one
      assert.equal(server.seen.cut, 1)
      await dav.delete(url) // the retry's connection was closed: this one is new, and pooled
      assert.ok(await pooled(server.url))
      assert.deepEqual(await dav.stat(url), { bytes: 5 })
      assert.equal(server.seen.cut, 2)
    } finally {
      await server.stop()
    }
  })

  it('does not send an upload twice', async () => {
    const server = await hangingUpServer()
    try {
      const dav = new WebdavProtocol()
      const url = `${server.url}/up.txt`
      await dav.delete(url)
      assert.ok(await pooled(server.url), 'a kept-alive connection waits in the pool')
      const body = (async function* () {
        yield Buffer.from('data')
      })()
      await assert.rejects(
        dav.write(url, body, { bytes: 4 }),
        (err) => err instanceof ContinuumError && err.code === 'STORAGE_UNREACHABLE',
      )
      assert.equal(server.seen.puts, 1, 'the upload was sent once')
    } finally {
      await server.stop()
    }
  })
})
