/**
 * Full-text search over the knowledge hub (PostgreSQL text search: a generated tsvector with
 * title weighted above text, a GIN index, websearch_to_tsquery; the same on PGlite and the
 * server). The only landscape code that queries knowledge_documents directly.
 */
import { sql } from 'kysely'
import type { DocumentHit } from '../contract/index.js'
import type { Context } from '../db/index.js'

export async function searchDocuments(
  ctx: Context,
  query: string,
  limit = 20,
): Promise<DocumentHit[]> {
  const result = await sql<{
    name: string
    title: string
    url: string | null
    tags: string[]
    rank: number
    snippet: string
  }>`
    select name, title, url, tags, ts_rank(search, q)::float8 as rank,
           ts_headline('english', case when text = '' then title else text end, q, 'MaxWords=30, MinWords=10, StartSel=**, StopSel=**') as snippet
    from knowledge_documents, websearch_to_tsquery('english', ${query}) as q
    where search @@ q
    order by rank desc, name
    limit ${limit}`.execute(ctx.db)
  return result.rows.map((r) => ({ ...r, rank: Number(r.rank) }))
}
