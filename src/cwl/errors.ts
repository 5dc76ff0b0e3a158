/**
 * How a CWL run ends badly: `invalid` (the document or input object is wrong), `unsupported`
 * (a requirement this runner does not offer: exit 33, as the runner protocol asks), or
 * `failed` (a tool failed, an output is missing).
 */
export class CwlError extends Error {
  constructor(
    readonly kind: 'invalid' | 'unsupported' | 'failed',
    message: string,
  ) {
    super(message)
    this.name = 'CwlError'
  }
}
