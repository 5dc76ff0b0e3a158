/**
 * Which Unix account runs a community's jobs on a site: the binding's `accounts` map
 * (`{ lofar: 'lofar001', default: 'continuum-jobs' }`), resolved to uid and gid on this machine.
 * An account that does not exist here is a configuration error, said when the site is bound
 * and, should it vanish later, when a job would run.
 */
import { execFileSync } from 'node:child_process'
import { chownSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'

export interface UnixAccount {
  name: string
  uid: number
  gid: number
}

const known = new Map<string, UnixAccount>()

/** The account's uid and gid (`id -u`, `id -g`), or CONFIG_INVALID when there is none here. */
export function resolveAccount(name: string): UnixAccount {
  const cached = known.get(name)
  if (cached) return cached
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(name)) {
    throw new ContinuumError('CONFIG_INVALID', `'${name}' is not a Unix account name`, {
      account: name,
    })
  }
  try {
    const id = (flag: string) =>
      Number(
        execFileSync('id', [flag, name], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim(),
      )
    const account = { name, uid: id('-u'), gid: id('-g') }
    known.set(name, account)
    return account
  } catch {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `there is no Unix account '${name}' on this machine`,
      {
        account: name,
      },
    )
  }
}

/** The account a community's jobs run as: its own, else the site's `default`, else none. */
export function accountFor(
  accounts: Readonly<Record<string, string>> | undefined,
  community: string | null | undefined,
): string | null {
  if (!accounts) return null
  return (community ? accounts[community] : undefined) ?? accounts.default ?? null
}

/** Gives a job's run folder (and what is in it) and its working folder to its account. */
export function handOver(account: UnixAccount, runDir: string, workdir: string): void {
  for (const p of [runDir, ...readdirSync(runDir).map((f) => path.join(runDir, f)), workdir]) {
    chownSync(p, account.uid, account.gid)
  }
}

/**
 * The first folder on the way to `target` (itself included unless it is the account's own)
 * that other accounts cannot pass through, if any.
 */
export function unreachable(target: string, self = true): string | null {
  const start = path.resolve(target)
  for (let d = self ? start : path.dirname(start); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return d
    if (d === '/') return null
  }
}

/**
 * A batch system's accounts: each must exist and be one this process can submit as (only root
 * may switch users, `sbatch --uid`), and reach the run folder — said at start, rather than a
 * community's jobs running as the server or failing on a node with nothing to say why.
 */
export function checkBatchAccounts(accounts: Readonly<Record<string, string>>, root: string): void {
  const names = new Set(Object.values(accounts))
  const self = process.getuid?.()
  for (const name of names) {
    const account = resolveAccount(name)
    if (self !== 0 && account.uid !== self) {
      throw new ContinuumError(
        'CONFIG_INVALID',
        `cannot submit Slurm jobs as ${name}: only root may (sbatch --uid); run the worker as root or map communities to its own account`,
        { account: name },
      )
    }
  }
  const blocked = self === 0 && names.size > 0 ? unreachable(root) : null
  if (blocked) {
    throw new ContinuumError(
      'CONFIG_INVALID',
      `Slurm jobs run as the communities' accounts, which cannot reach the run folder ${root}: ${blocked} is closed to them (put run folders on a shared file system open to those accounts)`,
      { root },
    )
  }
}
