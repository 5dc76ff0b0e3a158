/**
 * Which Unix account runs a community's jobs on a site: the binding's `accounts` map
 * (`{ lofar: 'lofar001', default: 'continuum-jobs' }`), resolved to uid and gid on this machine.
 * An account that does not exist here is a configuration error, said when the site is bound
 * and, should it vanish later, when a job would run.
 */
import { execFileSync } from 'node:child_process'
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
