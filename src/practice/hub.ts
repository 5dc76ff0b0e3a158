/**
 * The knowledge hub (D3.1): one search over the hub's documents (full-text, landscape) and the
 * communities' own record — working groups' charters and titles, meetings, questionnaires,
 * findings, interviews, drafts and comments.
 */
import { listAllRecords } from '../catalog/index.js'
import type { HubHit } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { searchDocuments } from '../landscape/index.js'
import { searchPractice } from './hub-store.js'

export async function searchHub(ctx: Context, query: string, limit = 20): Promise<HubHit[]> {
  const groups = await listAllRecords(ctx.db, 'workingGroup')
  const groupName = new Map(groups.map((g) => [g.id, g.name]))
  const needle = query.toLowerCase()
  const hits: HubHit[] = []
  for (const d of await searchDocuments(ctx, query, limit)) {
    hits.push({
      kind: 'document',
      name: d.name,
      title: d.title,
      snippet: d.snippet,
      workingGroup: null,
    })
  }
  for (const g of groups) {
    const text = `${g.title as string} ${(g.description as string | undefined) ?? ''}`
    if (g.name.includes(needle) || text.toLowerCase().includes(needle)) {
      hits.push({
        kind: 'working-group',
        name: g.name,
        title: String(g.title),
        snippet: snippet(text, needle),
        workingGroup: g.name,
      })
    }
  }
  for (const h of await searchPractice(ctx.db, query, limit)) {
    if (h.kind === 'working-group' && hits.some((x) => x.kind === h.kind && x.name === h.name)) {
      continue
    }
    hits.push({
      kind: h.kind,
      name: h.name,
      title: h.title,
      snippet: snippet(h.text, needle),
      workingGroup: h.groupId === null ? null : (groupName.get(h.groupId) ?? null),
    })
  }
  return hits.slice(0, limit)
}

/** About 160 characters of the text around the first match. */
function snippet(text: string, needle: string): string {
  const at = Math.max(0, text.toLowerCase().indexOf(needle))
  const start = Math.max(0, at - 60)
  const out = text
    .slice(start, start + 160)
    .replace(/\s+/g, ' ')
    .trim()
  return `${start > 0 ? '…' : ''}${out}${start + 160 < text.length ? '…' : ''}`
}
