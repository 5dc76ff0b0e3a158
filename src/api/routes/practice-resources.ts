/**
 * Gate resources of the practice routes: a working group's item carries the caller's role in
 * that group (`role`), which the `practice-roles` policy decides on. No `community` attribute:
 * membership of the owning community alone does not let anyone write a group's record.
 */
import type { FastifyRequest } from 'fastify'
import { meetingRecorder, practiceScope, useCaseCommunity } from '../../practice/index.js'
import type { RouteResource } from '../gate.js'

type Kind = 'group' | 'questionnaire' | 'finding' | 'draft'

/** The resource of the item named by `params.name` (or by `body.workingGroup` when `from` is 'body'). */
export function practiceItem(kind: Kind, from: 'params' | 'body' = 'params') {
  return async (request: FastifyRequest): Promise<RouteResource> => {
    const source = (from === 'params' ? request.params : request.body) as Record<string, string>
    const name = from === 'params' ? source.name! : source.workingGroup!
    const { group, role } = await practiceScope(request.ctx, from === 'body' ? 'group' : kind, name)
    return {
      type: 'WorkingGroup',
      id: group.name,
      name: group.name,
      attrs: role === null ? { kind } : { kind, role },
    }
  }
}

/** Creating a working group is writing to its community: members of that community may. */
export function communityOfBody(request: FastifyRequest): RouteResource {
  const community = (request.body as { community: string }).community
  return { type: 'Community', id: community, community, name: community }
}

/** A review changes a use case's profile: the resource also names the use case's community. */
export async function reviewTarget(request: FastifyRequest): Promise<RouteResource> {
  const item = await practiceItem('questionnaire')(request)
  const useCase = (request.body as { useCase: string }).useCase
  const targetCommunity = await useCaseCommunity(request.ctx, useCase)
  return { ...item, attrs: { ...item.attrs, targetCommunity } }
}

/** A membership route: the group's item, marked `ownMembership` when it names the caller. */
export async function memberResource(request: FastifyRequest): Promise<RouteResource> {
  const item = await practiceItem('group')(request)
  const named = request.method === 'DELETE' ? request.query : request.body
  const own = (named as { principal: string }).principal === request.ctx.actor.principal
  return own ? { ...item, attrs: { ...item.attrs, ownMembership: 'true' } } : item
}

/** A meeting route: the group's item, marked `recordedByCaller` for the meeting's recorder. */
export async function meetingResource(request: FastifyRequest): Promise<RouteResource> {
  const item = await practiceItem('group')(request)
  const { name, id } = request.params as { name: string; id: string }
  const mine = (await meetingRecorder(request.ctx, name, id)) === request.ctx.actor.principal
  return mine ? { ...item, attrs: { ...item.attrs, recordedByCaller: 'true' } } : item
}
