import type { StepResult } from '../../testbed/runner.ts'

/**
 * The step's `::warning::` (or other) workflow commands, without the GOSUMDB=off warning: the test bed has
 * no checksum database, so every job on it sets `gosumdb: off` and is rightly warned about it.
 */
export function stepCommands(step: StepResult | undefined, command = 'warning'): string[] {
  return (step?.commands ?? [])
    .filter((c) => c.command === command && !c.message.startsWith('GOSUMDB=off'))
    .map((c) => c.message)
}
