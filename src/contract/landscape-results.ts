/** Wire contract of the results of matching, gap analysis and reports (D5.1 × D5.2 × D5.3). */
import { NameSchema, StringEnum, Type, type Static } from './common.js'

// ----- matching, gaps, reports -------------------------------------------------------------

export const verdicts = ['fit', 'partial', 'no'] as const
export type Verdict = (typeof verdicts)[number]
const VerdictSchema = StringEnum(verdicts)

export const ReasonSchema = Type.Object(
  { requirement: Type.String(), verdict: VerdictSchema, reason: Type.String() },
  { additionalProperties: false },
)
export type Reason = Static<typeof ReasonSchema>
export const EvaluationSchema = Type.Object(
  {
    kind: StringEnum(['compute', 'storage', 'policy'] as const),
    name: NameSchema,
    infrastructure: NameSchema,
    verdict: VerdictSchema,
    score: Type.Number(),
    reasons: Type.Array(ReasonSchema),
  },
  { additionalProperties: false },
)
export type Evaluation = Static<typeof EvaluationSchema>
export const CombinationSchema = Type.Object(
  {
    compute: Type.Array(NameSchema),
    storage: Type.Array(NameSchema),
    policies: Type.Array(NameSchema),
    covers: Type.Array(Type.String({ description: 'Requirement keys met by the combination.' })),
    uncovered: Type.Array(Type.String()),
    closest: Type.Array(
      Type.Object(
        { requirement: Type.String(), reason: Type.String() },
        { additionalProperties: false },
      ),
      { description: 'For each uncovered requirement, what comes closest.' },
    ),
  },
  { additionalProperties: false },
)
export const MatchResultSchema = Type.Object(
  {
    useCase: NameSchema,
    verdict: VerdictSchema,
    evaluations: Type.Array(EvaluationSchema),
    best: CombinationSchema,
  },
  { additionalProperties: false },
)
export type MatchResult = Static<typeof MatchResultSchema>

export const GapSchema = Type.Object(
  {
    requirement: Type.String(),
    area: Type.String(),
    useCases: Type.Array(NameSchema),
    closest: Type.Array(
      Type.String({
        description: 'Best reasons among the services, to show how far off they are.',
      }),
    ),
  },
  { additionalProperties: false },
)
export const AreaCoverageSchema = Type.Object(
  {
    area: Type.String(),
    number: Type.Integer(),
    met: Type.Integer(),
    total: Type.Integer(),
    coverage: Type.Number(),
  },
  { additionalProperties: false },
)
export const RecommendationCheckSchema = Type.Object(
  {
    policy: NameSchema,
    infrastructure: NameSchema,
    results: Type.Array(
      Type.Object(
        { recommendation: Type.String(), met: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    met: Type.Integer(),
  },
  { additionalProperties: false },
)
export const LandscapeCheckSchema = Type.Object(
  {
    infrastructure: NameSchema,
    results: Type.Array(
      Type.Object(
        {
          recommendation: Type.String(),
          basis: Type.String({
            description: 'What in SPECTRUM (D5.3, D5.1, Blueprint) it rests on.',
          }),
          met: Type.Boolean(),
          reason: Type.String({ description: 'Why it passed or failed, from the catalogue.' }),
        },
        { additionalProperties: false },
      ),
    ),
    met: Type.Integer(),
  },
  { additionalProperties: false, description: "D5.3's landscape checks on one infrastructure." },
)
export type LandscapeCheck = Static<typeof LandscapeCheckSchema>
export const ProjectionSchema = Type.Object(
  {
    useCase: NameSchema,
    basis: Type.String({ description: 'The growth figures used, or that none was given.' }),
    horizons: Type.Array(
      Type.Object(
        {
          years: Type.Integer({ description: '0 = today.' }),
          verdict: VerdictSchema,
          coreHoursPerYear: Type.Union([Type.Number(), Type.Null()]),
          storedPB: Type.Union([Type.Number(), Type.Null()]),
          newlyUncovered: Type.Array(Type.String(), {
            description: 'Requirements met today but not at this horizon.',
          }),
          policies: Type.Array(
            Type.Object(
              { policy: NameSchema, suffices: Type.Boolean(), reason: Type.String() },
              { additionalProperties: false },
            ),
            { description: "Today's access policies, checked against the projected need." },
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type Projection = Static<typeof ProjectionSchema>
export const ActionSchema = Type.Object(
  {
    rank: Type.Integer(),
    phase: StringEnum(['foundation', 'integration', 'maturation'] as const),
    area: Type.String({ description: 'Technical Blueprint capability area.' }),
    pillar: Type.String({ description: 'SRIDA pillar (Continuum working label).' }),
    priority: Type.String({ description: 'SRIDA strategic priority (Continuum working label).' }),
    requirement: Type.String({ description: 'The requirement key the action closes.' }),
    target: Type.String(),
    change: Type.String(),
    unblocks: Type.Array(NameSchema),
  },
  { additionalProperties: false },
)
export type Action = Static<typeof ActionSchema>
export const GapReportSchema = Type.Object(
  {
    perUseCase: Type.Array(
      Type.Object(
        {
          useCase: NameSchema,
          verdict: VerdictSchema,
          gaps: Type.Array(
            Type.Object(
              { requirement: Type.String(), closest: Type.String() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    crossCutting: Type.Array(GapSchema),
    areas: Type.Array(AreaCoverageSchema),
    recommendations: Type.Array(RecommendationCheckSchema),
    landscapeChecks: Type.Array(LandscapeCheckSchema),
    projections: Type.Array(ProjectionSchema),
    actions: Type.Array(ActionSchema),
  },
  { additionalProperties: false },
)
export type GapReport = Static<typeof GapReportSchema>

export const reportFormats = ['markdown', 'html', 'json'] as const
export const reportDocuments = ['blueprint', 'srida'] as const
export type ReportDocument = (typeof reportDocuments)[number]
export const ReportQuerySchema = Type.Object(
  {
    format: Type.Optional(StringEnum(reportFormats)),
    document: Type.Optional(
      StringEnum(reportDocuments, {
        description:
          'Assemble a Technical Blueprint-shaped or SRIDA-shaped document instead of the fit and gap report.',
      }),
    ),
  },
  { additionalProperties: false },
)
export const ReportDocumentQuerySchema = Type.Object(
  {
    document: Type.Optional(
      StringEnum(reportDocuments, {
        description:
          'blueprint: the eight capability areas with coverage and gaps; srida: pillars, priorities and phased actions.',
      }),
    ),
  },
  { additionalProperties: false },
)
