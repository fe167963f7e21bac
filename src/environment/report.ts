/**
 * Pure: the Go environment plan as the user reads it, in the log (one line per variable) and in the job
 * summary (a table). Values are settings, not secrets, but a proxy URL's login is never shown.
 */
import type { GoEnvironmentPlan, GoVariable } from './plan.js'
import { redactUserinfo } from '../go/proxylist.js'

function shownValue(v: GoVariable): string {
  return v.value === '' ? '(unset)' : redactUserinfo(v.value)
}

/** `GOPROXY=https://proxy.example (input 'goproxy'; exported) - input 'goproxy' overrides ...` */
export function logLines(plan: GoEnvironmentPlan): string[] {
  return plan.variables.map(
    (v) =>
      `${v.name}=${shownValue(v)} (${v.source}${v.exported ? '; exported' : ''})${v.note ? ` - ${redactUserinfo(v.note)}` : ''}`
  )
}

function cell(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;')
}

/**
 * A value as a code span in a table cell: markdown does not decode entities inside a code span, so only
 * `|` is escaped (`\|`, GFM's rule for a pipe inside a cell, code spans included).
 */
function codeCell(s: string): string {
  const body = s.replace(/\|/g, '\\|')
  return body.includes('`') ? `\`\` ${body} \`\`` : `\`${body}\``
}

/** A markdown table for the job summary. */
export function summaryMarkdown(plan: GoEnvironmentPlan): string {
  const rows = plan.variables.map(
    (v) =>
      `| ${v.name} | ${codeCell(shownValue(v))} | ${cell(v.source)}${v.exported ? ' (exported)' : ''} | ${cell(redactUserinfo(v.note ?? ''))} |`
  )
  return [
    '### Go environment',
    '',
    '| Variable | Value | Source | Note |',
    '| --- | --- | --- | --- |',
    ...rows,
    ''
  ].join('\n')
}
