/** The dashboard shell: session, login, navigation and one view per hash route (#/landscape …). */
import { useEffect, useState } from 'react'
import { LoginPage } from './login.js'
import { SessionProvider, useSession } from './session.js'
import { DataView } from './views/data.js'
import { FitView } from './views/fit.js'
import { LandscapeView } from './views/landscape.js'
import { PlanView } from './views/plan.js'
import { PracticeView } from './views/practice.js'
import { TransfersView } from './views/transfers.js'
import { UsageView } from './views/usage.js'
import { WorkflowsView } from './views/workflows.js'

const routes = [
  { path: 'landscape', label: 'Landscape', view: LandscapeView },
  { path: 'fit', label: 'Fit and gaps', view: FitView },
  { path: 'plan', label: 'What-if', view: PlanView },
  { path: 'practice', label: 'Communities', view: PracticeView },
  { path: 'data', label: 'Data', view: DataView },
  { path: 'transfers', label: 'Transfers', view: TransfersView },
  { path: 'workflows', label: 'Workflows', view: WorkflowsView },
  { path: 'usage', label: 'Usage', view: UsageView },
] as const

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? ''
}

function useHashPath(): string {
  const [path, setPath] = useState(currentPath)
  useEffect(() => {
    const onChange = () => setPath(currentPath())
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return path
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  )
}

function Shell() {
  const { token, identity, client, logIn, logOut } = useSession()
  const path = useHashPath()
  const [checking, setChecking] = useState(token !== undefined && identity === undefined)

  // A token kept from earlier in this tab is checked once; an expired one logs out.
  useEffect(() => {
    if (token === undefined || identity !== undefined) return
    let live = true
    client.auth
      .whoami()
      .then((who) => live && logIn(token, who))
      .catch(() => live && logOut())
      .finally(() => live && setChecking(false))
    return () => {
      live = false
    }
  }, [token, identity, client, logIn, logOut])

  if (checking) return <p className="loading-page">Checking your session…</p>
  if (!token || !identity) return <LoginPage />

  const route = routes.find((r) => r.path === path) ?? routes[0]
  const View = route.view
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/landscape">
          <span className="logo" aria-hidden="true" /> Continuum
        </a>
        <nav aria-label="Views" className="nav">
          {routes.map((r) => (
            <a
              key={r.path}
              href={`#/${r.path}`}
              className={r === route ? 'active' : undefined}
              aria-current={r === route ? 'page' : undefined}
            >
              {r.label}
            </a>
          ))}
        </nav>
        <div className="who">
          <span title={identity.principal} data-testid="whoami">
            {identity.subject}
          </span>
          <button type="button" className="button small" onClick={logOut}>
            Log out
          </button>
        </div>
      </header>
      <main className="content" id="main">
        <View />
      </main>
    </div>
  )
}
