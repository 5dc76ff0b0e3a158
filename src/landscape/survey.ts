/**
 * The requirements survey (D3.1): a questionnaire a community answers; each answer lands in
 * one typed field of a use case's requirement profile. Numbers may be given with units
 * ("72 h", "3 EB"); they are converted to the field's unit.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import { parseQuantity, updateRecord } from '../catalog/index.js'
import {
  RequirementProfileSchema,
  accessRoutes,
  allocationModels,
  batchSystems,
  containerRuntimes,
  storageProtocols,
  workflowKinds,
  type RequirementProfile,
  type SurveyAnswers,
  type SurveyQuestion,
  type UseCase,
} from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { getRecord } from '../catalog/index.js'

const q = (
  id: string,
  text: string,
  answer: SurveyQuestion['answer'],
  unit: string | null = null,
  choices: readonly string[] = [],
): SurveyQuestion => ({
  id,
  area: id.split('.')[0]!,
  text,
  answer,
  unit,
  choices: [...choices],
  profilePath: id,
})

export const surveyQuestions: SurveyQuestion[] = [
  q(
    'compute.coreHoursPerYear',
    'How many CPU core-hours does the use case need per year?',
    'number',
    'core-hours/year',
  ),
  q('compute.peakCores', 'How many cores must run at the same time at peak?', 'number', 'cores'),
  q('compute.memoryPerCoreGB', 'How much memory does a job need per core?', 'number', 'GB'),
  q(
    'compute.acceleratorModels',
    'Which accelerator models can the code use (any listed will do)?',
    'list',
  ),
  q('compute.acceleratorCount', 'How many accelerators at the same time?', 'number', 'devices'),
  q('compute.walltimeHours', 'How long does the longest single job run?', 'number', 'h'),
  q('compute.interactiveShare', 'What share of the work is interactive (0–1)?', 'share'),
  q(
    'compute.batchSystems',
    'Which batch systems can your workload management drive?',
    'choices',
    null,
    batchSystems,
  ),
  q('data.storedPB', 'How much data must be kept?', 'number', 'PB'),
  q('data.growthPBPerYear', 'By how much does it grow each year?', 'number', 'PB/y'),
  q('data.ingestGbps', 'Sustained ingest rate?', 'number', 'Gbps'),
  q('data.egressGbps', 'Sustained egress rate?', 'number', 'Gbps'),
  q('data.diskShare', 'Which share must be on disk (the rest on tape), 0–1?', 'share'),
  q(
    'data.protocols',
    'Which protocols do your data tools speak?',
    'choices',
    null,
    storageProtocols,
  ),
  q('data.files', 'How many files?', 'number', 'files'),
  q('software.containers', 'Do jobs run in containers?', 'boolean'),
  q(
    'software.containerRuntimes',
    'Which container runtimes are acceptable?',
    'choices',
    null,
    containerRuntimes,
  ),
  q('software.cvmfsRepositories', 'Which CVMFS repositories must be mounted?', 'list'),
  q(
    'workflow.kinds',
    'What kinds of workflow does the use case run?',
    'choices',
    null,
    workflowKinds,
  ),
  q(
    'workflow.unattendedLongRunning',
    'Do workflows run unattended for weeks or months?',
    'boolean',
  ),
  q(
    'access.allocationModel',
    'What allocation model does the use case need?',
    'choice',
    null,
    allocationModels,
  ),
  q(
    'access.crossInfrastructure',
    'Must one allocation be usable on several infrastructures?',
    'boolean',
  ),
  q(
    'access.acceptableRoutes',
    'Which access routes can the community use?',
    'choices',
    null,
    accessRoutes,
  ),
  q(
    'access.aai',
    'Which identity providers do your members have (e.g. egi-checkin, indigo-iam)?',
    'list',
  ),
  q('access.tokens', 'Do your tools need OIDC/WLCG tokens?', 'boolean'),
  q('constraints.networkGbps', 'Wide-area bandwidth needed between sites?', 'number', 'Gbps'),
  q(
    'constraints.maxCarbonGPerKWh',
    'Highest acceptable grid carbon intensity?',
    'number',
    'gCO2e/kWh',
  ),
  q('constraints.maxPue', 'Highest acceptable PUE?', 'number'),
]
const byId = new Map(surveyQuestions.map((x) => [x.id, x]))
// Compiled on first use, not at import: every start of the server and the CLI paid for it.
let validateProfile: ValidateFunction | undefined

/** Folds answers into a profile; null clears a field. Throws VALIDATION_FAILED naming each bad answer. */
export function applySurveyAnswers(
  profile: RequirementProfile,
  answers: SurveyAnswers['answers'],
): RequirementProfile {
  const out = structuredClone(profile) as Record<string, Record<string, unknown>>
  const errors: Array<{ field: string; message: string }> = []
  for (const [id, raw] of Object.entries(answers)) {
    const question = byId.get(id)
    if (!question) {
      errors.push({
        field: `answers.${id}`,
        message: 'no such question (see GET /landscape/survey)',
      })
      continue
    }
    let value: unknown = raw
    if (typeof raw === 'string' && (question.answer === 'number' || question.answer === 'share')) {
      const field = id.split('.')[1]!
      const parsed = /^[0-9.eE+-]+$/.test(raw.trim()) ? Number(raw) : parseQuantity(field, raw)
      if (typeof parsed !== 'number' || Number.isNaN(parsed)) {
        errors.push({
          field: `answers.${id}`,
          message: typeof parsed === 'object' ? parsed.error : `expected a number, got "${raw}"`,
        })
        continue
      }
      value = parsed
    }
    const [area, field] = id.split('.') as [string, string]
    out[area] ??= {}
    if (value === null) delete out[area][field]
    else out[area][field] = value
  }
  validateProfile ??= new Ajv({ allErrors: true, strict: false }).compile(RequirementProfileSchema)
  if (errors.length === 0 && !validateProfile(out)) {
    for (const e of validateProfile.errors ?? []) {
      errors.push({
        field: `answers.${e.instancePath.slice(1).replace('/', '.')}`,
        message: e.message ?? e.keyword,
      })
    }
  }
  if (errors.length > 0) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      { errors },
    )
  }
  return out
}

export async function answerSurvey(
  ctx: Context,
  useCase: string,
  answers: SurveyAnswers['answers'],
): Promise<UseCase> {
  const current = (await getRecord(ctx, 'useCase', useCase)) as unknown as UseCase
  const profile = applySurveyAnswers(current.profile, answers)
  return (await updateRecord(ctx, 'useCase', current.id, {
    profile,
    status: 'surveyed',
  })) as unknown as UseCase
}
