import { v7 as uuidv7 } from 'uuid'

/** New record ids are UUIDv7: unique across processes and ordered by creation time. */
export function newId(): string {
  return uuidv7()
}
