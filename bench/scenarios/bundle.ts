/**
 * Bundle the setup-go style baseline (bench/baseline.ts) into one file, as actions/setup-go ships
 * (an ncc bundle in dist/): loading @actions/cache and its Azure SDK from node_modules file by file costs
 * 0.4-1 s per step on this machine, which the real setup-go does not pay and the action under test (a
 * rollup bundle) does not pay either. Same bundler and plugins as the action (rollup.config.js); the
 * TypeScript is stripped with Node's own `stripTypeScriptTypes` (bench files use erasable syntax only).
 * Rebuilt only when baseline.ts is newer than the bundle.
 */
import fs from 'node:fs'
import path from 'node:path'
import { stripTypeScriptTypes } from 'node:module'
import type { Plugin } from 'rollup'
import { REPO_ROOT } from '../../testbed/runner.ts'

export const BASELINE_SOURCE = path.join(REPO_ROOT, 'bench', 'baseline.ts')

export async function bundleBaseline(outFile: string): Promise<string> {
  if (fs.existsSync(outFile) && fs.statSync(outFile).mtimeMs >= fs.statSync(BASELINE_SOURCE).mtimeMs)
    return outFile
  const { rollup } = await import('rollup')
  // The plugins' type declarations are CommonJS-shaped (`export =`), which NodeNext types as non-callable
  // from ESM; at run time the default export is the plugin factory.
  const commonjs = (await import('@rollup/plugin-commonjs')).default as unknown as () => Plugin
  const json = (await import('@rollup/plugin-json')).default as unknown as () => Plugin
  const { nodeResolve } = await import('@rollup/plugin-node-resolve')
  const stripTs = {
    name: 'strip-ts',
    transform(code: string, id: string) {
      return id.endsWith('.ts') ? { code: stripTypeScriptTypes(code, { mode: 'strip' }), map: null } : null
    }
  }
  const bundle = await rollup({
    input: BASELINE_SOURCE,
    plugins: [stripTs, nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }), commonjs(), json()],
    onwarn(warning, warn) {
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return
      warn(warning)
    }
  })
  fs.mkdirSync(path.dirname(outFile), { recursive: true })
  const tmp = `${outFile}.${process.pid}.tmp`
  await bundle.write({ file: tmp, format: 'es', inlineDynamicImports: true })
  await bundle.close()
  fs.renameSync(tmp, outFile)
  return outFile
}
