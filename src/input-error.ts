/**
 * The error a user fixes in the workflow file: it names the input (or the runner's variable) and carries a
 * message with the value and the fix. Its own module so that every validator can throw it without
 * importing inputs.ts (which imports the validators).
 */
export class InputError extends Error {
  override name = 'InputError'
  readonly input: string
  constructor(input: string, message: string) {
    super(message)
    this.input = input
  }
}
