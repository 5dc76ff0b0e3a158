/**
 * Who is logged in: the token (sessionStorage), the identity the server sees for it, and the
 * client that carries it. Any UNAUTHENTICATED answer ends the session.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { makeClient, storedToken, storeToken, type ContinuumClient, type WhoAmI } from './api.js'

export interface Session {
  client: ContinuumClient
  identity: WhoAmI | undefined
  token: string | undefined
  logIn: (token: string, identity: WhoAmI) => void
  logOut: () => void
  /** Views report errors here; an expired or revoked token logs out. */
  onError: (err: unknown) => void
}

const SessionContext = createContext<Session | undefined>(undefined)

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}

export function SessionProvider(props: {
  children: ReactNode
  initialIdentity?: WhoAmI | undefined
}) {
  const [token, setToken] = useState(storedToken)
  const [identity, setIdentity] = useState<WhoAmI | undefined>(props.initialIdentity)
  const client = useMemo(() => makeClient(token), [token])
  const logIn = useCallback((next: string, who: WhoAmI) => {
    storeToken(next)
    setToken(next)
    setIdentity(who)
  }, [])
  const logOut = useCallback(() => {
    storeToken(undefined)
    setToken(undefined)
    setIdentity(undefined)
  }, [])
  const onError = useCallback(
    (err: unknown) => {
      if ((err as { code?: string }).code === 'UNAUTHENTICATED') logOut()
    },
    [logOut],
  )
  const value = useMemo(
    () => ({ client, identity, token, logIn, logOut, onError }),
    [client, identity, token, logIn, logOut, onError],
  )
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>
}
