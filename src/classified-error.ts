/** An error that knows its failure class (the `error-class` output); failure.ts reads it. */
import type { ErrorClass } from './types.js'

export class ClassifiedError extends Error {
  readonly errorClass: ErrorClass
  constructor(message: string, errorClass: ErrorClass) {
    super(message)
    this.name = 'ClassifiedError'
    this.errorClass = errorClass
  }
}
