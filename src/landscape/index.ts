/**
 * landscape: the Plan face — use cases and their requirement profiles, the requirements survey,
 * knowledge-hub search, matching, gap analysis, reports, and the shipped data set. Reads the
 * catalogue through catalog/index.ts; writes use_cases and knowledge_documents through it.
 */
import type { GapReport, MatchResult, ReportDocument } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { gapReport } from './gaps.js'
import { matchUseCase, type Landscape } from './match.js'
import { renderHtml, renderMarkdown, reportData, type ReportData } from './report.js'
import { loadLandscape } from './snapshot.js'
import { blocksToHtml, blocksToMarkdown, studyDocument, type Block } from './study-documents.js'

export { loadLandscape } from './snapshot.js'
export {
  matchUseCase,
  evaluateAll,
  buildFacts,
  buildStorageFacts,
  type Landscape,
} from './match.js'
export { gapReport } from './gaps.js'
export { requirementAreas } from './requirements.js'
export { evaluateCompute, evaluateStorage } from './evaluate.js'
export { evaluatePolicy } from './evaluate-policy.js'
export { renderHtml, renderMarkdown, reportData, type ReportData } from './report.js'
export { surveyQuestions, applySurveyAnswers, answerSurvey } from './survey.js'
export { searchDocuments } from './documents.js'
export { checkLandscape, d53Checks } from './d53.js'
export { projectNeeds, projectProfile, policySuffices } from './projection.js'
export { pillars, priorities, phases, priorityOf } from './srida.js'
export {
  blueprintDocument,
  sridaDocument,
  blocksToHtml,
  blocksToMarkdown,
} from './study-documents.js'
export { loadShippedLandscape, readYamlTree, shippedDataDir } from './shipped.js'

export async function matchUseCaseByName(ctx: Context, name: string): Promise<MatchResult> {
  const l = await loadLandscape(ctx)
  const uc = l.useCases.find((u) => u.name === name || u.id === name)
  if (!uc) {
    throw new ContinuumError('USE_CASE_NOT_FOUND', `use case '${name}' not found`, {
      useCase: name,
    })
  }
  return matchUseCase(l, uc)
}

export async function landscapeGaps(ctx: Context): Promise<GapReport> {
  return gapReport(await loadLandscape(ctx))
}

export function buildReport(l: Landscape, now: Date): ReportData {
  const matches = l.useCases.map((uc) => matchUseCase(l, uc))
  return reportData(l, matches, gapReport(l, matches), now)
}

/**
 * The fit and gap report, or — with `document` — a Blueprint- or SRIDA-shaped document
 * assembled from the same live data (JSON then gives the document's blocks).
 */
export async function landscapeReport(
  ctx: Context,
  format: 'markdown' | 'html' | 'json',
  document?: ReportDocument,
): Promise<string | ReportData | { document: ReportDocument; blocks: Block[] }> {
  const l = await loadLandscape(ctx)
  const data = buildReport(l, ctx.clock.now())
  if (document) {
    const blocks = studyDocument(document, l, data)
    return format === 'markdown'
      ? blocksToMarkdown(blocks)
      : format === 'html'
        ? blocksToHtml(blocks)
        : { document, blocks }
  }
  return format === 'markdown' ? renderMarkdown(data) : format === 'html' ? renderHtml(data) : data
}
