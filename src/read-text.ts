/** Effects (file system): a text file's content, or undefined when it cannot be read (missing, a directory). */
import fs from 'node:fs'

export function readTextIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
