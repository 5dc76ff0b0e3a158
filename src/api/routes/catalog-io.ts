/** HTTP routes that move whole catalogues: import (YAML, or GLUE 2.0 as JSON or LDIF; all-or-nothing), validate, export. */
import type { FastifyInstance } from 'fastify'
import { exportCatalogYaml, importCatalog } from '../../catalog/index.js'
import {
  ExportSchema,
  ImportRequestSchema,
  ImportResultSchema,
  type ImportRequest,
} from '../../contract/index.js'
import type { Context } from '../../db/index.js'
import { importGlue2, isLdif } from '../../catalog/index.js'
import { routeSchema } from '../route-schema.js'

// Large enough for a landscape of many GLUE 2.0 files; each file is further capped when parsed.
const catalogBodyLimit = 16 * 1024 * 1024

export function catalogIoRoutes(app: FastifyInstance): void {
  const tags = ['catalog']
  // Without a format, LDIF files are GLUE 2.0 (nothing else is published as LDIF).
  const isGlue = (body: ImportRequest) =>
    body.format === 'glue2' ||
    (body.format === undefined && body.files.every((f) => isLdif(f.path, f.content)))
  const run = (ctx: Context, body: ImportRequest, dryRun: boolean) =>
    isGlue(body)
      ? importGlue2(ctx, { files: body.files, dryRun })
      : importCatalog(ctx, { files: body.files, dryRun })
  app.post<{ Body: ImportRequest }>('/catalog/import', {
    config: { action: 'catalog.import' },
    bodyLimit: catalogBodyLimit,
    schema: routeSchema({
      operationId: 'importCatalog',
      tags,
      summary:
        'Import catalogue files, all or nothing; errors name file:line:col and the field path',
      body: ImportRequestSchema,
      response: { 200: ImportResultSchema },
    }),
    handler: (request) => run(request.ctx, request.body, request.body.dryRun === true),
  })
  app.post<{ Body: ImportRequest }>('/catalog/validate', {
    config: { action: 'catalog.validate' },
    bodyLimit: catalogBodyLimit,
    schema: routeSchema({
      operationId: 'validateCatalog',
      tags,
      summary:
        'Check catalogue files against the schema and the current catalogue; changes nothing',
      body: ImportRequestSchema,
      response: { 200: ImportResultSchema },
    }),
    handler: (request) => run(request.ctx, request.body, true),
  })
  app.get('/catalog/export', {
    config: { action: 'catalog.export' },
    schema: routeSchema({
      operationId: 'exportCatalog',
      tags,
      summary: 'The whole catalogue as one YAML catalogue file',
      response: { 200: ExportSchema },
    }),
    handler: async (request) => ({ content: await exportCatalogYaml(request.ctx) }),
  })
}
