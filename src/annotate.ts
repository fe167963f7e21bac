/**
 * Annotations for a failed download: each failed module is pinned to the line of the user's go.mod
 * (require) or go.sum (checksum mismatch) it comes from, so the failure shows in the PR's file view.
 * The placement is pure (annotations.ts); this file only reads the candidate files.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import path from 'node:path'
import { annotationTarget, type GoFileText } from './annotations.js'
import type { DownloadResult } from './types.js'

const GO_FILES = ['go.mod', 'go.sum', 'go.work', 'go.work.sum']

function readGoFiles(dirs: string[], workspace: string): GoFileText[] {
  const out: GoFileText[] = []
  for (const dir of new Set(dirs)) {
    for (const name of GO_FILES) {
      const file = path.join(dir, name)
      if (!fs.existsSync(file)) continue
      out.push({
        path: path.relative(workspace, file).split(path.sep).join('/'),
        text: fs.readFileSync(file, 'utf8')
      })
    }
  }
  return out
}

export function annotateFailures(download: DownloadResult, workingDirectory: string): void {
  const workspace = process.env.GITHUB_WORKSPACE || workingDirectory
  const roots = download.attempts.flatMap((a) => a.roots.map((r) => path.resolve(workingDirectory, r)))
  const failures =
    download.moduleFailures.length > 0 ? download.moduleFailures : download.failure ? [download.failure] : []
  const exact = failures.flatMap((d) => (d.file ? [path.dirname(d.file)] : []))
  const files = readGoFiles([workingDirectory, ...roots, ...exact], workspace)
  for (const d of failures) {
    const target = annotationTarget(d, files)
    if (target)
      core.error(target.message, { file: target.file, startLine: target.startLine, title: target.title })
  }
}
