/**
 * The broker's policy check: may the submitting community (and identity) use a compute
 * service? Asked of the Cedar gate, where `continuum policy sync-access` keeps the landscape's
 * access policies, so the broker places only where the Plan face says a community may run.
 * A workflow runs unattended, so policies that exclude unattended use do not let it in.
 * Sites outside the catalogue (the demo's own machine, test sites) are the operator's own and
 * are not gated.
 */
import type { PolicyEngine } from '../policy/index.js'
import type { UsePredicate } from './broker.js'

/** The Cedar action asked for: submitting a task to a compute service. */
export const submitAction = 'workflows.task.submit'

export function policyGate(policy: PolicyEngine): UsePredicate {
  return (community, candidate, owner) => {
    if (!candidate.service) return true
    const who = owner ?? `community:${community ?? '-'}`
    const decision = policy.decide({
      principal: {
        principal: who,
        issuer: 'continuum',
        subject: who,
        groups: [],
        communities: community === null ? [] : [community],
      },
      action: submitAction,
      resource: { type: 'ComputeService', id: candidate.service },
      context: { capabilityToken: false, scopeGrants: false, unattended: true },
    })
    if (decision.decision === 'allow') return true
    const errors = decision.errors.length > 0 ? ` (${decision.errors.join('; ')})` : ''
    return `policy: no access policy lets ${community === null ? 'a workflow without a community' : `community ${community}`} run unattended tasks on ${candidate.service}${errors}`
  }
}
