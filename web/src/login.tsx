/**
 * Login with the device authorisation grant at the server's built-in issuer (the demo's), as the
 * CLI does: the page shows a code, the person approves it on the issuer's page, the page polls
 * for the token. Installations with another identity provider paste a token (`continuum token`).
 */
import { useRef, useState, type FormEvent } from 'react'
import { deviceLogin, makeClient, type DeviceAuthorizationAnswer } from './api.js'
import { errorText } from './format.js'
import { useSession } from './session.js'

type Step =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'code'; authorization: DeviceAuthorizationAnswer }
  | { kind: 'failed'; message: string }

export function LoginPage() {
  const { logIn } = useSession()
  const [step, setStep] = useState<Step>({ kind: 'idle' })
  const [pasted, setPasted] = useState('')
  const cancelled = useRef(false)

  const finish = async (token: string) => {
    const identity = await makeClient(token).auth.whoami()
    logIn(token, identity)
  }

  const start = async () => {
    cancelled.current = false
    setStep({ kind: 'starting' })
    try {
      const token = await deviceLogin({
        issuer: window.location.origin,
        clientId: 'continuum-dashboard',
        prompt: (authorization) => setStep({ kind: 'code', authorization }),
        wait: (seconds) =>
          new Promise((resolve, reject) => {
            if (cancelled.current) reject(new Error('login cancelled'))
            else setTimeout(resolve, seconds * 1000)
          }),
      })
      await finish(token.access_token)
    } catch (err) {
      setStep({ kind: 'failed', message: errorText(err) })
    }
  }

  const submitToken = async (event: FormEvent) => {
    event.preventDefault()
    try {
      await finish(pasted.trim())
    } catch (err) {
      setStep({ kind: 'failed', message: errorText(err) })
    }
  }

  return (
    <main className="login">
      <div className="login-card">
        <h1>
          <span className="logo" aria-hidden="true" /> Continuum
        </h1>
        <p className="muted">
          Europe&apos;s research e-Infrastructures as one compute and data continuum.
        </p>
        {step.kind === 'code' ? (
          <section aria-live="polite">
            <p>Approve this login at the identity provider:</p>
            <p className="user-code" data-testid="user-code">
              {step.authorization.user_code}
            </p>
            <a
              className="button primary"
              href={step.authorization.verification_uri_complete}
              target="_blank"
              rel="noopener noreferrer"
            >
              Open the approval page
            </a>
            <p className="muted small">
              In the demo, choose a demo user (admin sees everything) and press Approve; this page
              logs you in by itself a moment later.
            </p>
            <button
              type="button"
              className="button"
              onClick={() => {
                cancelled.current = true
                setStep({ kind: 'idle' })
              }}
            >
              Cancel
            </button>
          </section>
        ) : (
          <>
            <button
              type="button"
              className="button primary wide"
              onClick={() => void start()}
              disabled={step.kind === 'starting'}
            >
              {step.kind === 'starting' ? 'Starting…' : 'Log in'}
            </button>
            {step.kind === 'failed' && (
              <p role="alert" className="error">
                {step.message}
              </p>
            )}
            <details className="token-login">
              <summary>Use a token from another identity provider</summary>
              <form onSubmit={(e) => void submitToken(e)}>
                <label htmlFor="token-input">Access token (from `continuum token`)</label>
                <textarea
                  id="token-input"
                  rows={3}
                  value={pasted}
                  onChange={(e) => setPasted(e.target.value)}
                />
                <button type="submit" className="button" disabled={pasted.trim() === ''}>
                  Use token
                </button>
              </form>
            </details>
          </>
        )}
      </div>
    </main>
  )
}
