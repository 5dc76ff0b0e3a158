/**
 * policy: what an identity may do. Cedar policies (stored and versioned), the schema built from
 * the routes' actions, decisions with reasons, the audit log, and the compiler of the
 * landscape's access policies. Writes policies and audit_log.
 */
export * from './cedar-schema.js'
export {
  PolicyEngine,
  policyNameOf,
  toStaticPolicies,
  type AuthzRequest,
  type Decision,
  type DecisionContext,
  type PolicyText,
  type PrincipalFacts,
  type ResourceRef,
} from './engine.js'
export {
  addPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  testPolicy,
  validatePolicies,
} from './policies.js'
export { scopeDecision, scopeGrants, scopeKindOf, type TokenFacts } from './capabilities.js'
export { AuditLog, type AuditRecord } from './audit.js'
export { AuditRetentionAgent, type AuditRetentionOptions } from './audit-retention.js'
export { compileAccessPolicy, type AccessPolicyInput } from './access-policy-compiler.js'
export { accessPolicyInputs, syncAccessPolicies, type AccessSyncResult } from './access-sync.js'
