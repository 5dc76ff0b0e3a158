/**
 * executors: one file per compute backend behind the `Executor` interface (submit, status,
 * cancel, logs). Owns no tables; the workflow engine records what they report.
 */
export * from './types.js'
export { LocalExecutor, type LocalExecutorOptions } from './local.js'
export { SlurmExecutor, type SlurmExecutorOptions } from './slurm.js'
export { ArcExecutor, type ArcExecutorOptions } from './arc.js'
export type { ArcCredentials } from './arc-rest.js'
export { wrapperScript, runFolder } from './run-folder.js'
export { defaultSandbox, jobEnvironment, type Confinement, type SandboxOptions } from './sandbox.js'
export { accountFor, resolveAccount, type UnixAccount } from './job-accounts.js'
export { buildBusyboxImage, busyboxImageMissing } from './oci-build.js'
