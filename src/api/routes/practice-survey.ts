/** HTTP routes of versioned questionnaires: responses, aggregated results, reviews into profiles. */
import type { FastifyInstance } from 'fastify'
import {
  PracticeNameParamsSchema,
  QuestionnaireCreateSchema,
  QuestionnaireListSchema,
  QuestionnaireSchema,
  QuestionnaireVersionCreateSchema,
  ResponseSchema,
  ResponseSubmitSchema,
  ResultsQuerySchema,
  ResultsSchema,
  ReviewCreateSchema,
  ReviewSchema,
  Type,
  type Question,
  type QuestionnaireCreate,
  type ResponseSubmit,
  type ReviewCreate,
} from '../../contract/index.js'
import {
  acceptResults,
  addQuestionnaire,
  addQuestionnaireVersion,
  getQuestionnaire,
  listQuestionnaires,
  myResponses,
  questionnaireResults,
  submitResponse,
} from '../../practice/index.js'
import { routeSchema } from '../route-schema.js'
import { practiceItem, reviewTarget } from './practice-resources.js'

type Name = { name: string }
const tags = ['practice']
const params = PracticeNameParamsSchema

export function practiceSurveyRoutes(app: FastifyInstance): void {
  app.get('/practice/questionnaires', {
    config: { action: 'practice.questionnaire.list' },
    schema: routeSchema({
      operationId: 'listQuestionnaires',
      tags,
      summary: 'Questionnaires with their latest version and number of responses',
      response: { 200: QuestionnaireListSchema },
    }),
    handler: async (request) => ({ items: await listQuestionnaires(request.ctx) }),
  })
  app.post<{ Body: QuestionnaireCreate }>('/practice/questionnaires', {
    config: { action: 'practice.questionnaire.create', resource: practiceItem('group', 'body') },
    schema: routeSchema({
      operationId: 'addQuestionnaire',
      tags,
      summary:
        'Write a questionnaire (version 1) for a working group (coordinators); questions may feed requirement-profile fields',
      body: QuestionnaireCreateSchema,
      response: { 201: QuestionnaireSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await addQuestionnaire(request.ctx, request.body)),
  })
  app.get<{ Params: Name }>('/practice/questionnaires/:name', {
    config: { action: 'practice.questionnaire.read' },
    schema: routeSchema({
      operationId: 'getQuestionnaire',
      tags,
      summary: 'A questionnaire: every version with its questions and responses, and its reviews',
      params,
      response: { 200: QuestionnaireSchema },
    }),
    handler: (request) => getQuestionnaire(request.ctx, request.params.name),
  })
  app.post<{ Params: Name; Body: { questions: Question[] } }>(
    '/practice/questionnaires/:name/versions',
    {
      config: { action: 'practice.questionnaire.update', resource: practiceItem('questionnaire') },
      schema: routeSchema({
        operationId: 'addQuestionnaireVersion',
        tags,
        summary:
          'Publish the next version (coordinators); responses to earlier versions are kept as they were',
        params,
        body: QuestionnaireVersionCreateSchema,
        response: { 201: QuestionnaireSchema },
      }),
      handler: async (request, reply) =>
        reply
          .status(201)
          .send(
            await addQuestionnaireVersion(request.ctx, request.params.name, request.body.questions),
          ),
    },
  )
  app.post<{ Params: Name; Body: ResponseSubmit }>('/practice/questionnaires/:name/responses', {
    config: { action: 'practice.response.create', resource: practiceItem('questionnaire') },
    schema: routeSchema({
      operationId: 'submitResponse',
      tags,
      summary:
        'Answer a questionnaire as yourself for one of your communities (latest version unless named); answering again replaces your response',
      params,
      body: ResponseSubmitSchema,
      response: { 200: ResponseSchema },
    }),
    handler: (request) => submitResponse(request.ctx, request.params.name, request.body),
  })
  app.get<{ Params: Name }>('/practice/questionnaires/:name/responses/mine', {
    config: { action: 'practice.response.read' },
    schema: routeSchema({
      operationId: 'myResponses',
      tags,
      summary: 'Your own responses to a questionnaire, every version',
      params,
      response: { 200: Type.Object({ items: Type.Array(ResponseSchema) }) },
    }),
    handler: async (request) => ({ items: await myResponses(request.ctx, request.params.name) }),
  })
  app.get<{ Params: Name; Querystring: { version?: number; community?: string } }>(
    '/practice/questionnaires/:name/results',
    {
      config: { action: 'practice.result.read' },
      schema: routeSchema({
        operationId: 'questionnaireResults',
        tags,
        summary:
          'Aggregated results of one version: per question, per community, per month, and the profile values they propose',
        params,
        querystring: ResultsQuerySchema,
        response: { 200: ResultsSchema },
      }),
      handler: (request) =>
        questionnaireResults(request.ctx, request.params.name, {
          version: request.query.version,
          community: request.query.community,
        }),
    },
  )
  app.post<{ Params: Name; Body: ReviewCreate }>('/practice/questionnaires/:name/reviews', {
    config: { action: 'practice.review.create', resource: reviewTarget },
    schema: routeSchema({
      operationId: 'acceptResults',
      tags,
      summary:
        "Accept aggregated results into the requirement profile of a use case of your community (the group's reviewers); records the values before and after, who and when",
      params,
      body: ReviewCreateSchema,
      response: { 201: ReviewSchema },
    }),
    handler: async (request, reply) =>
      reply.status(201).send(await acceptResults(request.ctx, request.params.name, request.body)),
  })
}
