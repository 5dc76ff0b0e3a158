/**
 * A bounded read cache whose entries are valid for one generation of their source. Callers
 * read the generation before querying and store with it: a value read before a concurrent change
 * is then never kept, because the generation moved while it was being read.
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; generation: number }>()

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, generation: number): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.generation !== generation) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V, generation: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Drop the oldest insertion; catalogue working sets are far below the bound.
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(key, { value, generation })
  }

  clear(): void {
    this.entries.clear()
  }

  get size(): number {
    return this.entries.size
  }
}
