/**
 * Knowledge-hub search over the practice tables: a plain case-insensitive substring match
 * (ILIKE, with the query's own `%`, `_` and `\` escaped), the same on PGlite and PostgreSQL.
 */
import { sql } from 'kysely'
import type { Executor } from '../db/index.js'
import type { HubHit } from '../contract/index.js'

export interface RawHit extends Omit<HubHit, 'workingGroup' | 'snippet'> {
  groupId: string | null
  text: string
}

export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export async function searchPractice(
  db: Executor,
  query: string,
  limit: number,
): Promise<RawHit[]> {
  const p = likePattern(query)
  const result = await sql<RawHit>`
    select * from (
      select 'working-group' as kind, g.name as name, g.title as title, g.id as "groupId", c.charter as text
        from practice_charters c join working_groups g on g.id = c.working_group_id
        where c.charter ilike ${p}
      union all
      select 'meeting', m.id::text, m.title, m.working_group_id, m.notes || ' ' || (m.decisions::text)
        from practice_meetings m
        where m.title ilike ${p} or m.notes ilike ${p} or m.decisions::text ilike ${p}
      union all
      select 'questionnaire', q.name, q.title, q.working_group_id, q.title
        from practice_questionnaires q
        where q.title ilike ${p} or exists (
          select 1 from practice_questionnaire_versions v
          where v.questionnaire_id = q.id and v.questions::text ilike ${p})
      union all
      select 'finding', f.name, f.name, f.working_group_id, f.statement
        from practice_findings f where f.statement ilike ${p} or f.name ilike ${p}
      union all
      select 'interview', i.id::text, i.interviewee, i.working_group_id, i.summary
        from practice_interviews i where i.summary ilike ${p} or i.protocol ilike ${p}
      union all
      select 'draft', d.name, d.title, d.working_group_id, d.body
        from practice_drafts d where d.title ilike ${p} or d.body ilike ${p}
      union all
      select 'comment', d.name, d.title, d.working_group_id, c.body || ' ' || coalesce(c.resolution, '')
        from practice_comments c join practice_drafts d on d.id = c.draft_id
        where c.body ilike ${p} or c.resolution ilike ${p}
    ) hits
    order by kind, name
    limit ${limit}`.execute(db)
  return result.rows
}
