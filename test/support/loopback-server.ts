/** Starts an HTTP server on a random loopback port; `stop` also cuts its open connections. */
import type http from 'node:http'
import type net from 'node:net'

export async function listenOnLoopback(
  server: http.Server,
): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}
