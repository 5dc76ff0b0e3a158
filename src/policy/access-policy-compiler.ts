/**
 * Compiles the landscape's access policies (D5.2: who may use which service, by which access
 * route, interactively or unattended) into Cedar policies, so that what the Plan face says is
 * what the gate enforces. The input is this small interface, not the catalogue's records: the
 * landscape maps its records onto it.
 *
 *   compute services: the eligible communities may submit to (write on) and read the
 *                     `ComputeService::"<name>"` resources named;
 *   storage services: they may read and write the `StorageEndpoint::"<name>"` resources named;
 *   interactive / unattended: when false, requests whose context says interactive (resp.
 *                     unattended) are not permitted by this policy.
 */
import type { PolicyText } from './engine.js'

export interface AccessPolicyInput {
  /** The catalogue access policy's name; the Cedar policies are named `access.<name>.<kind>`. */
  name: string
  /** Eligible communities by name; `['*']` means any member of any community. */
  communities: string[]
  /** How access is obtained (e.g. `excellence-call`, `community-allocation`); recorded, not evaluated. */
  accessRoute: string
  /** Names of the compute services covered (the ids of ComputeService resources). */
  computeServices: string[]
  /** Names of the storage services covered (the ids of StorageEndpoint resources). */
  storageServices: string[]
  interactive: boolean
  unattendedWorkflows: boolean
}

const safeName = /^[a-z0-9][a-z0-9._-]{0,62}$/

export function compileAccessPolicy(input: AccessPolicyInput): PolicyText[] {
  if (!safeName.test(input.name)) {
    throw new Error(`access policy name '${input.name}' is not a catalogue name`)
  }
  const who = input.communities.includes('*')
    ? '!principal.communities.isEmpty()'
    : `principal.communities.containsAny(${list(input.communities)})`
  const modes = [
    ...(input.interactive ? [] : ['!(context has interactive && context.interactive)']),
    ...(input.unattendedWorkflows ? [] : ['!(context has unattended && context.unattended)']),
  ]
  const annotations = `@accessPolicy(${quote(input.name)})\n@accessRoute(${quote(input.accessRoute)})\n`
  const out: PolicyText[] = []
  // One statement per service, with the service in the policy's scope: the engine then
  // evaluates only the statements of the service a request is about (see policy-index.ts).
  const rule = (kind: string, type: string, services: string[]) => {
    if (services.length === 0 || input.communities.length === 0) return
    const conditions = [who, ...modes].join(' &&\n  ')
    const body = services
      .map(
        (service) =>
          `${annotations}permit (principal, action, resource == ${type}::${quote(service)}) when {\n  ${conditions}\n};`,
      )
      .join('\n')
    out.push({ name: `access.${input.name}.${kind}`, body })
  }
  rule('compute', 'ComputeService', input.computeServices)
  rule('storage', 'StorageEndpoint', input.storageServices)
  return out
}

function quote(s: string): string {
  return JSON.stringify(s)
}

function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`
}
