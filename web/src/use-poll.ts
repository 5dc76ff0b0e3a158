import { useCallback, useEffect, useRef, useState } from 'react'
import { useSession } from './session.js'

export interface Polled<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  /** Fetches again now (after a change the user made). */
  refresh: () => void
}

/**
 * Loads `load()` and again every `intervalMs` (0: once), so views follow the system without a
 * reload. A change of `key` (what the load depends on, e.g. the selected scope) loads afresh.
 * A 401 logs the user out.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key = ''): Polled<T> {
  const { onError } = useSession()
  const [data, setData] = useState<T>()
  const [error, setError] = useState<Error>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  const refresh = useCallback(() => setTick((t) => t + 1), [])

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const run = async () => {
      try {
        const value = await loadRef.current()
        if (stopped) return
        setData(value)
        setError(undefined)
      } catch (err) {
        if (stopped) return
        setError(err as Error)
        onError(err)
      } finally {
        if (!stopped) {
          setLoading(false)
          if (intervalMs > 0) timer = setTimeout(() => void run(), intervalMs)
        }
      }
    }
    setLoading(true)
    void run()
    return () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [intervalMs, tick, onError, key])

  return { data, error, loading, refresh }
}
