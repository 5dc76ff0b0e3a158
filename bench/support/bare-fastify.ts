// The peer: a bare Fastify route that returns the same JSON, with no schema, validation,
// database or logging. argv[2] is the JSON body. Prints `READY <url>`.
import Fastify from 'fastify'

const body: unknown = JSON.parse(process.argv[2] ?? '{}')
const app = Fastify({ logger: false })
app.get('/catalog/infrastructures/:id', async () => body)
const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.stderr.write(`READY ${url}\n`)
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0))
})
