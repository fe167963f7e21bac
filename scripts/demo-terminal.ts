/**
 * Render a job summary (what @actions/core's `core.summary` writes: HTML headings, tables, lists, code
 * blocks, with markdown in between) as plain text a person can read in a terminal: headings underlined,
 * tables as aligned columns, lists with dashes, tags stripped, entities decoded. Pure, for `npm run demo`.
 *
 * Written by hand because no installed package renders HTML to text; the summary uses a small, known
 * subset of HTML (core.summary's addHeading/addTable/addList/addCodeBlock/addDetails/addRaw), which is
 * what is handled here.
 */
import { textTable } from '../bench/scenarios/stats.ts'

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))
      )
    return ENTITIES[e.toLowerCase()] ?? whole
  })
}

/** Inline content of a cell or paragraph: tags removed, `<br>` as a space, markdown backticks dropped. */
export function inlineText(html: string): string {
  return decodeEntities(
    html
      .replace(/<br\s*\/?>/gi, ' ')
      .replace(/<[^>]+>/g, '')
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
  )
    .replace(/\s+/g, ' ')
    .trim()
}

function tableRows(tableHtml: string): string[][] {
  const rows: string[][] = []
  for (const tr of tableHtml.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gi)) {
    const cells = [...(tr[1] as string).matchAll(/<t([hd])([^>]*)>([\s\S]*?)<\/t\1>/gi)].map((m) => {
      const span = /colspan="?(\d+)/i.exec(m[2] as string)
      const text = inlineText(m[3] as string)
      return span ? [text, ...Array.from({ length: Number(span[1]) - 1 }, () => '')] : [text]
    })
    rows.push(cells.flat())
  }
  return rows
}

function renderTable(rows: string[][], maxWidth: number): string {
  if (rows.length === 0) return ''
  const columns = Math.max(...rows.map((r) => r.length))
  const norm = rows.map((r) => Array.from({ length: columns }, (_, i) => r[i] ?? ''))
  return textTable(norm[0] as string[], norm.slice(1), maxWidth)
}

/** A markdown table (`| a | b |` lines with a `|---|` rule) as rows of cells. */
function markdownTableRows(lines: string[]): string[][] {
  return lines
    .filter((l) => !/^\s*\|?\s*:?-{3,}/.test(l))
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => inlineText(c.replace(/\\\|/g, '|')))
    )
}

function heading(text: string, level: number): string {
  const t = inlineText(text)
  const rule = level <= 2 ? '=' : '-'
  return `\n${t}\n${rule.repeat(Math.max(3, [...t].length))}\n`
}

/** The whole summary as terminal text. */
export function summaryToText(summary: string, maxWidth = 110): string {
  let s = summary.replace(/\r\n/g, '\n')
  const blocks: string[] = []
  // Replace each block-level element with a placeholder holding its rendered text, so what is left is
  // markdown/plain text that is handled line by line.
  const keep = (text: string) => {
    blocks.push(text)
    return `\n\uE000${blocks.length - 1}\uE000\n`
  }
  s = s.replace(/<pre[^>]*>([\s\S]*?)<\/pre>/gi, (_, body: string) =>
    keep(
      decodeEntities(body.replace(/<\/?code[^>]*>/gi, ''))
        .replace(/\n+$/, '')
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n') + '\n'
    )
  )
  s = s.replace(/<table[^>]*>([\s\S]*?)<\/table>/gi, (_, body: string) =>
    keep(renderTable(tableRows(body), maxWidth))
  )
  s = s.replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, body: string) =>
    keep(heading(body, Number(level)))
  )
  s = s.replace(/<(ul|ol)[^>]*>([\s\S]*?)<\/\1>/gi, (_, kind: string, body: string) => {
    const items = [...body.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/gi)].map((m, i) => {
      const bullet = kind.toLowerCase() === 'ol' ? `${i + 1}.` : '-'
      return `${bullet} ${inlineText(m[1] as string)}`
    })
    return keep(items.join('\n') + '\n')
  })
  s = s.replace(/<summary[^>]*>([\s\S]*?)<\/summary>/gi, (_, body: string) => keep(`${inlineText(body)}:\n`))
  s = s.replace(/<\/?(details|p|div)[^>]*>/gi, '\n').replace(/<hr\s*\/?>/gi, '\n---\n')

  const out: string[] = []
  const lines = s.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const placeholder = /^\uE000(\d+)\uE000$/.exec(line.trim())
    if (placeholder) {
      out.push((blocks[Number(placeholder[1])] as string).replace(/\n$/, ''))
      continue
    }
    const md = /^(#{1,6})\s+(.*)$/.exec(line)
    if (md) {
      out.push(heading(md[2] as string, (md[1] as string).length).replace(/\n$/, ''))
      continue
    }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      const tableLines: string[] = []
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i] as string))
        tableLines.push(lines[i++] as string)
      i--
      out.push(renderTable(markdownTableRows(tableLines), maxWidth).replace(/\n$/, ''))
      continue
    }
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line)
    out.push(bullet ? `- ${inlineText(bullet[1] as string)}` : inlineText(line))
  }
  // Collapse runs of blank lines left by removed tags.
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .trimEnd() + '\n'
  )
}
