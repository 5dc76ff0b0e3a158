/** Scores a use case's access requirements against one access policy (D5.2), one reason per requirement. */
import type { AccessPolicy, Reason, RequirementProfile } from '../contract/index.js'
import { add, FIT, NO, PARTIAL, type Code } from './evaluate.js'

/** Identity providers that issue federated (OIDC/WLCG) tokens. */
export const federatedAai = new Set([
  'egi-checkin',
  'indigo-iam',
  'wlcg-iam',
  'ska-iam',
  'myaccessid',
  'eduteams',
  'edugain',
  'lifescience-aai',
  'helmholtz-aai',
  'puhuri',
])

export function evaluatePolicy(
  p: RequirementProfile,
  community: string,
  vos: readonly string[],
  s: AccessPolicy,
  out?: Reason[],
): Code {
  let worst: Code = FIT
  const bump = (code: Code) => {
    if (code > worst) worst = code
  }
  const a = p.access ?? {}
  const e = s.eligibility
  const member = e.communities.includes(community) || e.vos.some((v) => vos.includes(v))
  const eligible: Code =
    e.anyEuropeanResearcher || member ? (e.countries.length > 0 && !member ? PARTIAL : FIT) : NO
  bump(
    add(out, 'access.eligibility', eligible, () =>
      eligible === FIT
        ? member
          ? `${community} is named as eligible`
          : 'open to any European researcher'
        : eligible === PARTIAL
          ? `national route: researchers of ${e.countries.join(', ')} only`
          : `eligible: ${[...e.communities, ...e.vos].join(', ') || 'named groups'} only`,
    ),
  )
  if (a.allocationModel != null) {
    const m = a.allocationModel
    const code: Code =
      m === 'multi-year'
        ? s.multiYear
          ? FIT
          : s.renewable
            ? PARTIAL
            : NO
        : m === 'pledged'
          ? s.route === 'community-membership'
            ? FIT
            : s.multiYear || s.renewable
              ? PARTIAL
              : NO
          : m === 'opportunistic'
            ? s.route === 'rolling' ||
              s.route === 'community-membership' ||
              s.route === 'commercial'
              ? FIT
              : PARTIAL
            : s.route === 'commercial'
              ? PARTIAL
              : FIT
    bump(
      add(
        out,
        'access.allocationModel',
        code,
        () =>
          `needs a ${m} allocation: access by ${s.route.replace(/-/g, ' ')}${s.periodMonths ? `, ${s.periodMonths}-month periods` : ''}${s.multiYear ? ', multi-year possible' : s.renewable ? ', renewable' : ''}`,
      ),
    )
  }
  if (a.acceptableRoutes?.length) {
    bump(
      add(
        out,
        'access.acceptableRoutes',
        a.acceptableRoutes.includes(s.route) ? FIT : NO,
        () => `can use ${a.acceptableRoutes!.join('/')}: access by ${s.route}`,
      ),
    )
  }
  if (a.crossInfrastructure) {
    bump(
      add(
        out,
        'access.crossInfrastructure',
        s.crossInfrastructure ? FIT : NO,
        () =>
          `one allocation across infrastructures: ${s.crossInfrastructure ? 'allowed' : 'usable on this infrastructure only'}`,
      ),
    )
  }
  if (a.aai?.length) {
    const ok = s.acceptedAai.some((x) => a.aai!.includes(x))
    bump(
      add(
        out,
        'access.aai',
        ok ? FIT : NO,
        () =>
          `members log in with ${a.aai!.join('/')}: accepts ${s.acceptedAai.join(', ') || 'nothing published'}`,
      ),
    )
  }
  if (a.tokens) {
    const ok = s.acceptedAai.some((x) => federatedAai.has(x))
    bump(
      add(
        out,
        'access.tokens',
        ok ? FIT : NO,
        () =>
          `needs OIDC/WLCG tokens: ${ok ? 'federated token issuer accepted' : 'local accounts only'}`,
      ),
    )
  }
  if ((p.compute?.interactiveShare ?? 0) > 0) {
    bump(
      add(
        out,
        'access.interactive',
        s.interactive ? FIT : PARTIAL,
        () =>
          `interactive work: ${s.interactive ? 'part of the allocation' : 'not part of the allocation'}`,
      ),
    )
  }
  if (p.workflow?.unattendedLongRunning) {
    bump(
      add(
        out,
        'workflow.unattendedLongRunning',
        s.unattendedWorkflows ? FIT : NO,
        () =>
          `unattended long-running workflows: ${s.unattendedWorkflows ? 'allowed' : 'not allowed (interactive users only)'}`,
      ),
    )
  }
  return worst
}
