/** Small building blocks shared by the views: panels, figures, state badges, bars, tables. */
import type { ReactNode } from 'react'
import { errorText } from '../format.js'

export function Panel(props: {
  title: string
  children: ReactNode
  actions?: ReactNode
  className?: string
  testId?: string
}) {
  const id = `panel-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  return (
    <section
      className={`panel ${props.className ?? ''}`}
      aria-labelledby={id}
      data-testid={props.testId}
    >
      <header className="panel-head">
        <h2 id={id}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  )
}

export function Figure(props: { label: string; value: ReactNode; hint?: string; testId?: string }) {
  return (
    <div className="figure">
      <div className="figure-value" data-testid={props.testId}>
        {props.value}
      </div>
      <div className="figure-label">{props.label}</div>
      {props.hint && <div className="figure-hint">{props.hint}</div>}
    </div>
  )
}

/** States read the same everywhere: done/ok/fit green, running/replicating blue, failed red … */
const stateTone: Record<string, string> = {
  succeeded: 'good',
  done: 'good',
  ok: 'good',
  fit: 'good',
  available: 'good',
  operational: 'good',
  running: 'busy',
  submitted: 'busy',
  replicating: 'busy',
  copying: 'busy',
  staging: 'busy',
  partial: 'warn',
  queued: 'idle',
  pending: 'idle',
  ready: 'idle',
  waiting: 'idle',
  planned: 'idle',
  failed: 'bad',
  stuck: 'bad',
  no: 'bad',
  bad: 'bad',
  cancelled: 'muted',
  skipped: 'muted',
  retired: 'muted',
  unavailable: 'muted',
}

export function toneOf(state: string): string {
  return stateTone[state] ?? 'idle'
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge tone-${toneOf(state)}`}>{state}</span>
}

export function Bar(props: {
  label: ReactNode
  value: number
  max: number
  text: string
  tone?: string | undefined
}) {
  const fraction = props.max > 0 ? Math.min(1, props.value / props.max) : 0
  const tone = props.tone ?? (fraction > 0.9 ? 'bad' : fraction > 0.75 ? 'warn' : 'good')
  return (
    <div className="bar-row">
      <div className="bar-label">{props.label}</div>
      <div
        className="bar-track"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={props.max}
        aria-valuenow={props.value}
        aria-valuetext={props.text}
      >
        <div className={`bar-fill tone-${tone}`} style={{ width: `${fraction * 100}%` }} />
      </div>
      <div className="bar-text">{props.text}</div>
    </div>
  )
}

export function Problem({ error }: { error: unknown }) {
  return (
    <p role="alert" className="error">
      {errorText(error)}
    </p>
  )
}

/** Shows a polled value's error or a placeholder until the first answer. */
export function Loaded<T>(props: {
  data: T | undefined
  error: unknown
  children: (data: T) => ReactNode
}) {
  if (props.data === undefined) {
    return props.error ? <Problem error={props.error} /> : <p className="muted">Loading…</p>
  }
  return (
    <>
      {props.error ? <Problem error={props.error} /> : null}
      {props.children(props.data)}
    </>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** A toggle button group with accessible pressed state. */
export function Choice<T extends string>(props: {
  label: string
  options: readonly T[]
  value: T
  onChange: (value: T) => void
  render?: (value: T) => ReactNode
}) {
  return (
    <div className="choice" role="group" aria-label={props.label}>
      {props.options.map((o) => (
        <button
          key={o}
          type="button"
          aria-pressed={o === props.value}
          className={o === props.value ? 'chip active' : 'chip'}
          onClick={() => props.onChange(o)}
        >
          {props.render ? props.render(o) : o}
        </button>
      ))}
    </div>
  )
}
