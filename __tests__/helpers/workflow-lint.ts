/**
 * Checks workflow and action files the way GitHub will read them, plus what GitHub only finds at run
 * time: a `with:` key this action does not declare is a warning in a log nobody reads, and a misspelt
 * `steps.<id>.outputs.<name>` is silently the empty string.
 *
 * 1. Schema: GitHub's own parser (@actions/workflow-parser, the one behind the Actions VS Code extension
 *    and actions/languageservices): `parseWorkflow` + `convertWorkflowTemplate` for workflows,
 *    `parseAction` + `convertActionTemplate` for action.yml files. YAML syntax errors, unknown keys,
 *    unknown expression contexts, bad cron lines, `needs` cycles all come from there.
 * 2. Cross-references, walked here on the `yaml` document (the converted template drops `with:`):
 *    `with:` keys against the inputs of the action/reusable workflow being called, required inputs
 *    present, `steps.<id>.outputs.<name>` / `needs.<job>.outputs.<name>` / `jobs.<job>.outputs.<name>` /
 *    `inputs.<name>` against what is declared, local `uses: ./...` targets exist, and third-party
 *    actions are pinned to a major version (or a commit).
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml'

export interface Problem {
  file: string
  line?: number
  message: string
}

/** What can be passed to and read from an action or a reusable workflow. */
export interface Interface {
  /** How to name it in messages, e.g. `setup-go-deps (action.yml)`. */
  name: string
  inputs: Map<string, { required: boolean }>
  outputs: Set<string>
  /** Reusable workflows only: declared secrets (undefined for actions). */
  secrets?: Set<string>
}

/** `uses:` value (and the file it appears in) -> its interface; undefined for actions we cannot see. */
export type Resolver = (uses: string, fromFile: string) => Interface | undefined | 'missing'

/** This action, as users write it: `./` in this repository, the published name everywhere else. */
export function isThisAction(uses: string): boolean {
  return uses === './' || uses === '.' || /^setup-go-deps\/setup-go-deps@[\w.-]+$/.test(uses)
}

// ---------------------------------------------------------------------------------------------- yaml

interface Doc {
  file: string
  root: YAMLMap | undefined
  lines: LineCounter
}

function load(file: string, content: string): Doc {
  const lines = new LineCounter()
  const doc = parseDocument(content, { lineCounter: lines, prettyErrors: false })
  return { file, root: isMap(doc.contents) ? doc.contents : undefined, lines }
}

function lineOf(d: Doc, node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range
  return range ? d.lines.linePos(range[0]).line : undefined
}

function get(map: unknown, key: string): unknown {
  return isMap(map) ? map.get(key, true) : undefined
}

function str(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined
}

function entries(map: unknown): { key: string; keyNode: unknown; value: unknown }[] {
  if (!isMap(map)) return []
  return map.items.flatMap((pair) => {
    const key = str(pair.key)
    return key === undefined ? [] : [{ key, keyNode: pair.key, value: pair.value }]
  })
}

function items(seq: unknown): unknown[] {
  return isSeq(seq) ? seq.items : []
}

/** Every scalar string under a node, with its node (for the line). */
function scalars(
  node: unknown,
  out: { text: string; node: unknown }[] = []
): { text: string; node: unknown }[] {
  if (isScalar(node)) {
    if (typeof node.value === 'string') out.push({ text: node.value, node })
  } else if (isMap(node)) {
    for (const pair of node.items) {
      scalars(pair.key, out)
      scalars(pair.value, out)
    }
  } else if (isSeq(node)) {
    for (const item of node.items) scalars(item, out)
  }
  return out
}

const NAME = '[A-Za-z_][A-Za-z0-9_-]*'

/** `ctx.a.outputs.b` and `ctx['a'].outputs['b']` (normalised to dots) in a string. */
function references(text: string, context: string, middle: string | undefined): { a: string; b: string }[] {
  const dotted = text.replace(/\[\s*'([^']+)'\s*\]/g, '.$1').replace(/\[\s*"([^"]+)"\s*\]/g, '.$1')
  const re = middle
    ? new RegExp(`(?<![\\w.-])${context}\\.(${NAME})\\.${middle}\\.(${NAME})`, 'g')
    : new RegExp(`(?<![\\w.-])${context}\\.(${NAME})()`, 'g')
  return [...dotted.matchAll(re)].map((m) => ({ a: m[1] as string, b: m[2] as string }))
}

// ---------------------------------------------------------------------------------- interfaces

/** Inputs and outputs of an action.yml. */
export function actionInterface(name: string, content: string): Interface {
  const d = load(name, content)
  return {
    name,
    inputs: new Map(
      entries(get(d.root, 'inputs')).map((e) => [
        e.key,
        { required: str(get(e.value, 'required')) === 'true' && get(e.value, 'default') === undefined }
      ])
    ),
    outputs: new Set(entries(get(d.root, 'outputs')).map((e) => e.key))
  }
}

/** Inputs, outputs and secrets of a reusable workflow (`on.workflow_call`). */
export function workflowCallInterface(name: string, content: string): Interface | undefined {
  const d = load(name, content)
  const call = get(get(d.root, 'on'), 'workflow_call')
  if (call === undefined) return undefined
  return {
    name,
    inputs: new Map(
      entries(get(call, 'inputs')).map((e) => [
        e.key,
        { required: str(get(e.value, 'required')) === 'true' && get(e.value, 'default') === undefined }
      ])
    ),
    outputs: new Set(entries(get(call, 'outputs')).map((e) => e.key)),
    secrets: new Set(entries(get(call, 'secrets')).map((e) => e.key))
  }
}

// ------------------------------------------------------------------------------------ checks

function schemaProblems(file: string, errors: { message: string }[]): Problem[] {
  const seen = new Set<string>()
  return errors
    .map((e) => e.message)
    .filter((m) => !seen.has(m) && seen.add(m))
    .map((message) => {
      const line = /\(Line: (\d+),/.exec(message) ?? /at line (\d+)/.exec(message)
      return { file, line: line ? Number(line[1]) : undefined, message }
    })
}

/** The `uses:` policy: third-party actions by major version (or full commit), local targets exist. */
function checkUses(
  d: Doc,
  node: unknown,
  uses: string,
  resolve: Resolver,
  out: Problem[]
): Interface | undefined {
  const line = lineOf(d, node)
  const target = resolve(uses, d.file)
  if (target === 'missing') {
    out.push({
      file: d.file,
      line,
      message: `uses: ${uses} names a local action or workflow that does not exist.`
    })
    return undefined
  }
  if (!uses.startsWith('./') && !uses.startsWith('docker://') && !/@(v\d+|[0-9a-f]{40})$/.test(uses)) {
    out.push({
      file: d.file,
      line,
      message: `uses: ${uses} is not pinned to a major version (e.g. @v5) or a full commit SHA.`
    })
  }
  return target
}

function checkWith(d: Doc, withNode: unknown, target: Interface, uses: string, out: Problem[]): void {
  const given = entries(withNode)
  for (const e of given) {
    if (!target.inputs.has(e.key)) {
      out.push({
        file: d.file,
        line: lineOf(d, e.keyNode),
        message: `with: '${e.key}' is not an input of ${target.name} (uses: ${uses}).`
      })
    }
  }
  for (const [input, { required }] of target.inputs) {
    if (required && !given.some((e) => e.key === input)) {
      out.push({
        file: d.file,
        line: lineOf(d, withNode),
        message: `uses: ${uses} needs the required input '${input}'.`
      })
    }
  }
}

/**
 * The steps of one job (or composite action): `with:` keys of known actions, then every
 * `steps.<id>.outputs.<name>` in `scope` for a step whose action is known.
 */
function checkSteps(d: Doc, steps: unknown, scope: unknown[], resolve: Resolver, out: Problem[]): void {
  const byId = new Map<string, { uses: string; target: Interface | undefined }>()
  for (const step of items(steps)) {
    const usesNode = get(step, 'uses')
    const uses = str(usesNode)
    if (uses === undefined) continue
    const target = checkUses(d, usesNode, uses, resolve, out)
    if (target) checkWith(d, get(step, 'with'), target, uses, out)
    const id = str(get(step, 'id'))
    if (id !== undefined) byId.set(id, { uses, target })
  }
  for (const node of scope) {
    for (const s of scalars(node)) {
      for (const ref of references(s.text, 'steps', 'outputs')) {
        const step = byId.get(ref.a)
        if (step?.target && !step.target.outputs.has(ref.b)) {
          out.push({
            file: d.file,
            line: lineOf(d, s.node),
            message: `steps.${ref.a}.outputs.${ref.b}: '${ref.b}' is not an output of ${step.target.name} (uses: ${step.uses}).`
          })
        }
      }
    }
  }
}

/** `inputs.<name>` references against the declared inputs (skipped when nothing declares inputs). */
function checkInputRefs(d: Doc, declared: Set<string> | undefined, scope: unknown[], out: Problem[]): void {
  if (!declared) return
  for (const node of scope) {
    for (const s of scalars(node)) {
      for (const ref of references(s.text, 'inputs', undefined)) {
        if (!declared.has(ref.a)) {
          out.push({
            file: d.file,
            line: lineOf(d, s.node),
            message: `inputs.${ref.a} is not a declared input.`
          })
        }
      }
    }
  }
}

export async function lintWorkflow(file: string, content: string, resolve: Resolver): Promise<Problem[]> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter())
  const errors: { message: string }[] = [...parsed.context.errors.getErrors()]
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value)
    errors.push(
      ...parsed.context.errors.getErrors(),
      ...(template.errors ?? []).map((e) => ({ message: e.Message }))
    )
  }
  const out = schemaProblems(file, errors)
  if (out.length > 0) return out // the cross-checks assume a well-formed file

  const d = load(file, content)
  const on = get(d.root, 'on')
  const jobs = entries(get(d.root, 'jobs'))
  const jobOutputs = new Map<string, Set<string> | undefined>()

  for (const job of jobs) {
    const usesNode = get(job.value, 'uses')
    const uses = str(usesNode)
    if (uses !== undefined) {
      // A job that calls a reusable workflow: its `with:`/`secrets:` against the callee's workflow_call.
      const target = checkUses(d, usesNode, uses, resolve, out)
      if (target) {
        checkWith(d, get(job.value, 'with'), target, uses, out)
        const secrets = get(job.value, 'secrets')
        for (const e of entries(secrets)) {
          if (target.secrets && !target.secrets.has(e.key)) {
            out.push({
              file,
              line: lineOf(d, e.keyNode),
              message: `secrets: '${e.key}' is not a secret of ${target.name}.`
            })
          }
        }
      }
      jobOutputs.set(job.key, target?.outputs)
    } else {
      checkSteps(d, get(job.value, 'steps'), [job.value], resolve, out)
      jobOutputs.set(job.key, new Set(entries(get(job.value, 'outputs')).map((e) => e.key)))
    }
  }

  // needs.<job>.outputs.<name> anywhere in the jobs; jobs.<job>.outputs.<name> in workflow_call outputs.
  for (const [context, scope] of [
    ['needs', get(d.root, 'jobs')],
    ['jobs', get(get(on, 'workflow_call'), 'outputs')]
  ] as const) {
    for (const s of scalars(scope)) {
      for (const ref of references(s.text, context, 'outputs')) {
        if (!jobOutputs.has(ref.a)) {
          out.push({
            file,
            line: lineOf(d, s.node),
            message: `${context}.${ref.a}: there is no job '${ref.a}'.`
          })
          continue
        }
        const declared = jobOutputs.get(ref.a)
        if (declared && !declared.has(ref.b)) {
          out.push({
            file,
            line: lineOf(d, s.node),
            message: `${context}.${ref.a}.outputs.${ref.b}: job '${ref.a}' has no output '${ref.b}'.`
          })
        }
      }
    }
  }

  const declaredInputs = ['workflow_call', 'workflow_dispatch'].flatMap((event) =>
    entries(get(get(on, event), 'inputs')).map((e) => e.key)
  )
  const hasInputs = get(on, 'workflow_call') !== undefined || get(on, 'workflow_dispatch') !== undefined
  checkInputRefs(d, hasInputs ? new Set(declaredInputs) : undefined, [get(d.root, 'jobs')], out)
  return out
}

/** An action.yml that is not this one (a composite action): schema, structure, cross-references. */
export function lintActionFile(file: string, content: string, resolve: Resolver): Problem[] {
  const parsed = parseAction({ name: file, content }, new NoOperationTraceWriter())
  if (parsed.value) convertActionTemplate(parsed.context, parsed.value)
  const out = schemaProblems(file, parsed.context.errors.getErrors())
  if (out.length > 0) return out

  const d = load(file, content)
  const runs = get(d.root, 'runs')
  if (str(get(runs, 'using')) !== 'composite') {
    out.push({
      file,
      line: lineOf(d, runs),
      message: `runs.using is '${str(get(runs, 'using'))}'; expected composite.`
    })
    return out
  }
  const steps = get(runs, 'steps')
  if (items(steps).length === 0) out.push({ file, line: lineOf(d, runs), message: 'runs.steps is empty.' })
  for (const step of items(steps)) {
    const hasUses = get(step, 'uses') !== undefined
    const hasRun = get(step, 'run') !== undefined
    if (hasUses === hasRun) {
      out.push({
        file,
        line: lineOf(d, step),
        message: 'a composite step needs exactly one of uses: or run:.'
      })
    } else if (hasRun && get(step, 'shell') === undefined) {
      out.push({
        file,
        line: lineOf(d, step),
        message: 'a composite run: step needs shell: (composite steps have no default).'
      })
    }
  }
  checkSteps(d, steps, [steps, get(d.root, 'outputs')], resolve, out)
  const declared = new Set(entries(get(d.root, 'inputs')).map((e) => e.key))
  checkInputRefs(d, declared, [steps, get(d.root, 'outputs')], out)
  return out
}

/** This repository's action.yml: schema, a description on every input and output, node24, entry files. */
export function lintOwnAction(content: string, exists: (path: string) => boolean): Problem[] {
  const file = 'action.yml'
  const parsed = parseAction({ name: file, content }, new NoOperationTraceWriter())
  if (parsed.value) convertActionTemplate(parsed.context, parsed.value)
  const out = schemaProblems(file, parsed.context.errors.getErrors())
  if (out.length > 0) return out

  const d = load(file, content)
  for (const section of ['inputs', 'outputs']) {
    for (const e of entries(get(d.root, section))) {
      if ((str(get(e.value, 'description')) ?? '').trim() === '') {
        out.push({ file, line: lineOf(d, e.keyNode), message: `${section}.${e.key} has no description.` })
      }
    }
  }
  const runs = get(d.root, 'runs')
  const using = str(get(runs, 'using'))
  if (using !== 'node24')
    out.push({ file, line: lineOf(d, runs), message: `runs.using is '${using}'; expected node24.` })
  for (const entry of ['main', 'post']) {
    const path = str(get(runs, entry))
    if (path === undefined) out.push({ file, line: lineOf(d, runs), message: `runs.${entry} is missing.` })
    else if (!exists(path)) {
      out.push({
        file,
        line: lineOf(d, get(runs, entry)),
        message: `runs.${entry} is ${path}, which does not exist (run npm run bundle and commit dist/).`
      })
    }
  }
  return out
}
