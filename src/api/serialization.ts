/**
 * Response serialisers built on first use. Fastify builds a fast-json-stringify serialiser for
 * every response schema of every route while the server starts — a third of `startServer`'s
 * time, mostly for routes a given process never answers. Each is now built the first time its
 * route answers with that status (a few milliseconds, once). `eager` builds them all at start,
 * as before: tests use it so that a response schema fast-json-stringify rejects fails the build.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler'

type SerializerFactory = ReturnType<typeof SerializerSelector>

export function serializerFactory(options: { eager?: boolean } = {}): SerializerFactory {
  const build = SerializerSelector()
  return (externalSchemas, serializerOptions) => {
    const compile = build(externalSchemas, serializerOptions)
    return (route) => {
      if (options.eager) return compile(route)
      let serialize: ((doc: unknown) => string) | undefined
      return (doc: unknown) => (serialize ??= compile(route))(doc)
    }
  }
}
