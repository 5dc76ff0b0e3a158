/** HTTP routes of the landscape's Plan face: survey, knowledge-hub search, match, gaps, reports. */
import type { FastifyInstance } from 'fastify'
import {
  DocumentHitsSchema,
  DocumentSearchQuerySchema,
  GapReportSchema,
  IdOrNameParamsSchema,
  MatchResultSchema,
  SurveyAnswersSchema,
  SurveySchema,
  Type,
  UseCase,
  ReportDocumentQuerySchema,
  type ReportDocument,
  type SurveyAnswers,
} from '../../contract/index.js'
import {
  answerSurvey,
  landscapeGaps,
  landscapeReport,
  matchUseCaseByName,
  searchDocuments,
  surveyQuestions,
} from '../../landscape/index.js'
import { routeSchema } from '../route-schema.js'

type IdParams = { id: string }
type ReportDocumentQuery = { document?: ReportDocument }

export function landscapeRoutes(app: FastifyInstance): void {
  const tags = ['landscape']
  app.get('/landscape/survey', {
    config: { action: 'landscape.survey.read' },
    schema: routeSchema({
      operationId: 'getSurvey',
      tags,
      summary: 'The requirements survey: questions, units and where each answer lands',
      response: { 200: SurveySchema },
    }),
    handler: async () => ({ questions: surveyQuestions }),
  })
  app.post<{ Params: IdParams; Body: SurveyAnswers }>('/landscape/use-cases/:id/survey', {
    config: { action: 'landscape.useCase.update' },
    schema: routeSchema({
      operationId: 'answerSurvey',
      tags,
      summary: "Fold survey answers into a use case's requirement profile",
      params: IdOrNameParamsSchema,
      body: SurveyAnswersSchema,
      response: { 200: UseCase.record },
    }),
    handler: (request) => answerSurvey(request.ctx, request.params.id, request.body.answers),
  })
  app.get<{ Querystring: { q: string; limit?: number } }>('/landscape/documents-search', {
    config: { action: 'landscape.document.list' },
    schema: routeSchema({
      operationId: 'searchDocuments',
      tags,
      summary: 'Full-text search of the knowledge hub',
      querystring: DocumentSearchQuerySchema,
      response: { 200: DocumentHitsSchema },
    }),
    handler: async (request) => ({
      items: await searchDocuments(request.ctx, request.query.q, request.query.limit ?? 20),
    }),
  })
  app.get<{ Params: IdParams }>('/landscape/match/:id', {
    config: { action: 'landscape.match.read' },
    schema: routeSchema({
      operationId: 'matchUseCase',
      tags,
      summary:
        'Score every service and policy against a use case, with one reason per requirement, and the best combination',
      params: IdOrNameParamsSchema,
      response: { 200: MatchResultSchema },
    }),
    handler: (request) => matchUseCaseByName(request.ctx, request.params.id),
  })
  app.get('/landscape/gaps', {
    config: { action: 'landscape.gaps.read' },
    schema: routeSchema({
      operationId: 'landscapeGaps',
      tags,
      summary:
        'Gaps per use case, cross-cutting gaps, coverage per capability area, D5.2 recommendations, ranked actions',
      response: { 200: GapReportSchema },
    }),
    handler: (request) => landscapeGaps(request.ctx),
  })
  app.get('/landscape/report.json', {
    config: { action: 'landscape.report.read' },
    schema: routeSchema({
      operationId: 'landscapeReportJson',
      tags,
      summary: 'The landscape, fit matrix and gaps as JSON',
      querystring: ReportDocumentQuerySchema,
      response: { 200: Type.Object({}, { additionalProperties: true }) },
    }),
    handler: (request) =>
      landscapeReport(request.ctx, 'json', (request.query as ReportDocumentQuery).document),
  })
  for (const [ext, format, type] of [
    ['md', 'markdown', 'text/markdown; charset=utf-8'],
    ['html', 'html', 'text/html; charset=utf-8'],
  ] as const) {
    app.get(`/landscape/report.${ext}`, {
      config: { action: 'landscape.report.read' },
      schema: routeSchema({
        operationId: `landscapeReport${ext === 'md' ? 'Markdown' : 'Html'}`,
        tags,
        summary: `The landscape, fit matrix and gaps as ${format}; or, with document=blueprint|srida, a Blueprint- or SRIDA-shaped document from the same live data`,
        querystring: ReportDocumentQuerySchema,
        response: { 200: Type.String() },
      }),
      handler: async (request, reply) =>
        reply
          .type(type)
          .send(
            await landscapeReport(
              request.ctx,
              format,
              (request.query as ReportDocumentQuery).document,
            ),
          ),
    })
  }
}
