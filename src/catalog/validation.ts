/** Checks the catalogue makes beyond what the wire schemas can say. */
import { ContinuumError } from '../platform/index.js'

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })

/** ISO 3166-1 alpha-2 codes that ICU knows, plus 'EU' for pan-European services. */
export function assertCountry(code: string, field = 'country'): void {
  const known = /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== code
  if (!known) {
    throw new ContinuumError('VALIDATION_FAILED', `${field}: '${code}' is not an ISO 3166-1 alpha-2 country code`, { field, value: code })
  }
}

export function countryName(code: string): string {
  return regionNames.of(code) ?? code
}
