/**
 * Test helpers for the credential tests: run the credential part of the action as real runner steps
 * (auth-step.mjs through testbed/runner.ts), and scan everything a job leaves behind for a secret.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runStep, applyStep, type JobEnv, type StepResult, type InputValue } from '../../testbed/runner.ts'

export const AUTH_STEP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'auth-step.mjs')

export async function authMain(
  job: JobEnv,
  inputs: Record<string, InputValue>,
  stepEnv: Record<string, string> = {}
): Promise<StepResult> {
  const result = await runStep({ job, script: AUTH_STEP, inputs, stepEnv: { ...stepEnv, AUTH_STEP: 'main' } })
  applyStep(job, result)
  return result
}

export async function authPost(job: JobEnv, main: StepResult): Promise<StepResult> {
  const result = await runStep({ job, script: AUTH_STEP, state: main.state, stepEnv: { AUTH_STEP: 'post' } })
  applyStep(job, result)
  return result
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** Every form of a token the tests look for: raw, base64 of user:token and x-access-token:token, URL-encoded. */
export function forms(token: string, username = 'x-access-token'): string[] {
  return [
    ...new Set([
      token,
      b64(`${username}:${token}`),
      b64(`x-access-token:${token}`),
      encodeURIComponent(token)
    ])
  ]
}

export interface Hit {
  where: string
  form: string
}

/** Files under the dirs (recursively, symlinks not followed) whose bytes contain any of the forms. */
export function scanFiles(dirs: readonly string[], needles: readonly string[]): Hit[] {
  const hits: Hit[] = []
  const walk = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) walk(path.join(p, e))
    } else if (st.isFile()) {
      const text = fs.readFileSync(p).toString('latin1')
      for (const n of needles) if (text.includes(n)) hits.push({ where: p, form: n })
    }
  }
  for (const d of dirs) walk(d)
  return hits
}

/** A step's output as the log would show it: ::add-mask:: commands are not printed, masked values are ***. */
export function visibleOutput(step: StepResult): string {
  const masks = step.masks
  const text = `${step.stdout}\n${step.stderr}`
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
  let out = text
  for (const m of [...masks].sort((a, b) => b.length - a.length)) if (m) out = out.split(m).join('***')
  return out
}

/** Raw output with only the ::add-mask:: lines removed (a secret here would need the mask to hide it). */
export function rawOutput(step: StepResult): string {
  return `${step.stdout}\n${step.stderr}`
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
}
