/**
 * Time as a dependency: code that needs "now" takes a Clock, so that tests and agents can run
 * against a clock they control instead of sleeping.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  private current: number

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.current = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.current)
  }

  advance(ms: number): void {
    this.current += ms
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime()
  }
}
