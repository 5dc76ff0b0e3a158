/**
 * Uploads and downloads through the server: bytes stream to or from a storage endpoint without
 * being held in memory, with size and adler32 checked on the way (see transfers/upload.ts).
 */
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { DidParamsSchema, ReplicaSchema, Type } from '../../contract/index.js'
import { openDownload, ProtocolRegistry, uploadFile } from '../../transfers/index.js'
import { routeSchema } from '../route-schema.js'
import { didResource } from './tenancy.js'

type DidParams = { scope: string; name: string }

const UploadQuerySchema = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Endpoint expression; the writable endpoint with the most free space is used.',
    }),
    adler32: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{8}$',
        description: 'Declared adler32; the upload fails (and leaves nothing) if the bytes differ.',
      }),
    ),
  },
  { additionalProperties: false },
)
const DownloadQuerySchema = Type.Object(
  {
    exclude: Type.Optional(
      Type.String({
        maxLength: 2000,
        description:
          "Endpoints not to read from, joined by ',' (a client's retry after a bad copy).",
      }),
    ),
  },
  { additionalProperties: false },
)
const BinarySchema = Type.Unsafe<string>({ type: 'string', format: 'binary' })

export function dataTransferRoutes(
  app: FastifyInstance,
  { registry = new ProtocolRegistry() }: { registry?: ProtocolRegistry } = {},
): void {
  const tags = ['data']
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  )

  app.put<{ Params: DidParams; Querystring: { to: string; adler32?: string } }>(
    '/data/files/:scope/:name',
    {
      config: {
        action: 'data.file.upload',
        resource: (req) =>
          didResource(req, (req.params as DidParams).scope, (req.params as DidParams).name, true),
      },
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: routeSchema({
        operationId: 'uploadFile',
        tags,
        summary:
          'Upload a file (application/octet-stream) to an endpoint chosen by expression, verify it there, register the replica',
        params: DidParamsSchema,
        querystring: UploadQuerySchema,
        response: { 201: ReplicaSchema },
      }),
      handler: async (request, reply) => {
        const length = request.headers['content-length']
        const bytes = length === undefined ? undefined : Number(length)
        const replica = await uploadFile(
          request.ctx,
          registry,
          { ...request.params, to: request.query.to, bytes, adler32: request.query.adler32 },
          request.body as Readable,
        )
        return reply.status(201).send(replica)
      },
    },
  )

  app.get<{ Params: DidParams; Querystring: { exclude?: string } }>('/data/files/:scope/:name', {
    config: {
      action: 'data.file.download',
      resource: (req) =>
        didResource(req, (req.params as DidParams).scope, (req.params as DidParams).name),
    },
    schema: routeSchema({
      operationId: 'downloadFile',
      tags,
      summary:
        'Download a file from its best available replica; x-adler32 and content-length let the client verify it',
      params: DidParamsSchema,
      querystring: DownloadQuerySchema,
      response: { 200: BinarySchema },
    }),
    handler: async (request, reply) => {
      const exclude = request.query.exclude?.split(',').filter(Boolean) ?? []
      const source = await openDownload(request.ctx, registry, request.params, exclude)
      reply.header('content-type', 'application/octet-stream')
      reply.header('content-length', String(source.replica.bytes))
      if (source.replica.adler32) reply.header('x-adler32', source.replica.adler32)
      reply.header('x-replica-endpoint', source.replica.endpoint)
      return reply.send(Readable.from(source.stream))
    },
  })
}
