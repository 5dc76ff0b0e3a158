/**
 * The broker's policy check: may the submitting community (and identity) use a compute
 * service? Asked of the Cedar gate, where `continuum policy sync-access` keeps the landscape's
 * access policies, so the broker places only where the Plan face says a community may run.
 * A workflow runs unattended, so policies that exclude unattended use do not let it in.
 * Sites outside the catalogue (the demo's own machine, test sites) are the operator's own and
 * are not gated.
 */
import type { PolicyEngine } from '../policy/index.js'
import type { UseExplainer, UsePredicate } from './broker.js'

/** The Cedar action asked for: submitting a task to a compute service. */
export const submitAction = 'workflows.task.submit'

export function policyGate(policy: PolicyEngine): UsePredicate {
  // The broker asks once per candidate site and task, the same few questions over and over:
  // answers are kept per policy set (a flat string key, cheaper than the engine's general one).
  let answers = new Map<string, true | string>()
  let version = -1
  return (community, candidate, owner) => {
    if (!candidate.service) return true
    if (version !== policy.version || answers.size >= 50_000) {
      answers = new Map()
      version = policy.version
    }
    const key = `${community ?? ''}\u0000${owner ?? ''}\u0000${candidate.service}`
    let answer = answers.get(key)
    if (answer === undefined) {
      const decision = decide(policy, community, candidate.service, owner)
      const errors = decision.errors.length > 0 ? ` (${decision.errors.join('; ')})` : ''
      answer =
        decision.decision === 'allow' ||
        `policy: no access policy lets ${community === null ? 'a workflow without a community' : `community ${community}`} run unattended tasks on ${candidate.service}${errors}`
      answers.set(key, answer)
    }
    return answer
  }
}

/**
 * Which policy let the placement happen, for `workflow explain`: the landscape's access policy
 * (compiled as `access.<name>.compute`) or another stored policy.
 */
export function policyExplainer(policy: PolicyEngine): UseExplainer {
  return (community, candidate, owner) => {
    if (!candidate.service) return 'access: not gated (a site outside the catalogue)'
    const decision = decide(policy, community, candidate.service, owner)
    if (decision.decision !== 'allow') return null
    const named = decision.policies.map((p) => p.split('/')[0] as string)
    const access = [...new Set(named.filter((n) => n.startsWith('access.')))].map(
      (n) => n.split('.')[1] as string,
    )
    return access.length > 0
      ? `access: allowed by the landscape's access polic${access.length === 1 ? 'y' : 'ies'} ${access.join(', ')} (Cedar ${[...new Set(named)].join(', ')})`
      : `access: allowed by polic${named.length === 1 ? 'y' : 'ies'} ${[...new Set(named)].join(', ')}`
  }
}

function decide(
  policy: PolicyEngine,
  community: string | null,
  service: string,
  owner: string | null | undefined,
) {
  const who = owner ?? `community:${community ?? '-'}`
  return policy.decide({
    principal: {
      principal: who,
      issuer: 'continuum',
      subject: who,
      groups: [],
      communities: community === null ? [] : [community],
    },
    action: submitAction,
    resource: { type: 'ComputeService', id: service },
    context: { capabilityToken: false, scopeGrants: false, unattended: true },
  })
}
