/**
 * Aggregation of questionnaire responses: per question (count; min, max, mean and median of
 * numbers; counts of choices and yes/no), per community and per month, and the proposal a
 * reviewer may accept into a requirement profile. Pure: the same responses give the same result.
 * Free-text answers are only counted — they stay with their respondents.
 */
import type { AnswerValue, Question, QuestionSummary } from '../contract/index.js'

export interface AnsweredResponse {
  community: string
  answers: Record<string, AnswerValue>
  submittedAt: Date
}

export function summarise(questions: Question[], responses: AnsweredResponse[]): QuestionSummary[] {
  return questions.map((q) => {
    const values = responses.map((r) => r.answers[q.id]).filter((v) => v !== undefined)
    const base: QuestionSummary = {
      id: q.id,
      text: q.text,
      kind: q.kind,
      unit: q.unit ?? null,
      profilePath: q.profilePath ?? null,
      answered: values.length,
    }
    if (q.kind === 'number' || q.kind === 'share') {
      const nums = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b)
      if (nums.length === 0) return base
      return {
        ...base,
        min: nums[0]!,
        max: nums.at(-1)!,
        mean: round(nums.reduce((s, n) => s + n, 0) / nums.length),
        median: median(nums),
      }
    }
    if (q.kind === 'boolean') {
      const yes = values.filter((v) => v === true).length
      return { ...base, counts: { yes, no: values.length - yes } }
    }
    if (q.kind === 'choice' || q.kind === 'choices') {
      const counts: Record<string, number> = Object.fromEntries(
        (q.choices ?? []).map((c) => [c, 0]),
      )
      for (const v of values) {
        for (const c of [v].flat()) counts[String(c)] = (counts[String(c)] ?? 0) + 1
      }
      return { ...base, counts }
    }
    return base
  })
}

export function byCommunity(
  questions: Question[],
  responses: AnsweredResponse[],
): Array<{ community: string; responses: number; questions: QuestionSummary[] }> {
  const groups = groupBy(responses, (r) => r.community)
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([community, rs]) => ({
      community,
      responses: rs.length,
      questions: summarise(questions, rs),
    }))
}

export function overTime(
  questions: Question[],
  responses: AnsweredResponse[],
): Array<{ period: string; responses: number; questions: QuestionSummary[] }> {
  const groups = groupBy(responses, (r) => r.submittedAt.toISOString().slice(0, 7))
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, rs]) => ({ period, responses: rs.length, questions: summarise(questions, rs) }))
}

/**
 * What the aggregate says for each question that feeds a profile field: the median of numbers,
 * the majority of yes/no (no proposal on a tie), the most chosen single choice (none on a tie),
 * and of multiple choices those picked by at least half of the respondents who answered.
 */
export function proposal(summaries: QuestionSummary[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const s of summaries) {
    if (s.profilePath === null || s.answered === 0) continue
    if (s.median !== undefined) out[s.profilePath] = s.median
    else if (s.kind === 'boolean' && s.counts) {
      const { yes = 0, no = 0 } = s.counts
      if (yes !== no) out[s.profilePath] = yes > no
    } else if (s.kind === 'choice' && s.counts) {
      const ranked = Object.entries(s.counts).sort((a, b) => b[1] - a[1])
      if (ranked[0] && ranked[0][1] > 0 && ranked[0][1] !== ranked[1]?.[1]) {
        out[s.profilePath] = ranked[0][0]
      }
    } else if (s.kind === 'choices' && s.counts) {
      const picked = Object.entries(s.counts)
        .filter(([, n]) => n * 2 >= s.answered && n > 0)
        .map(([c]) => c)
      if (picked.length > 0) out[s.profilePath] = picked
    }
  }
  return out
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2)
  return round(sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2)
}

const round = (n: number) => Math.round(n * 1e6) / 1e6

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    out.set(k, [...(out.get(k) ?? []), item])
  }
  return out
}
