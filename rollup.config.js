// Bundles the two entry points into dist/ as ESM for node24. The output is committed: the runner
// executes dist/ directly, without npm install.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const entry = (name) => ({
  input: `src/entrypoints/${name}.ts`,
  output: { file: `dist/${name}/index.js`, format: 'es', sourcemap: false, inlineDynamicImports: true },
  plugins: [
    typescript({ tsconfig: 'tsconfig.build.json', outDir: `dist/${name}`, noEmitOnError: false }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json()
  ],
  onwarn(warning, warn) {
    // The Azure SDK and @actions/* use `this` at module top level and circular imports; both harmless
    // there. A cycle through the action's own modules is shown (and __tests__/unit/import-cycles.test.ts
    // fails on it).
    if (warning.code === 'THIS_IS_UNDEFINED') return
    if (
      warning.code === 'CIRCULAR_DEPENDENCY' &&
      (warning.ids ?? []).every((id) => id.includes('node_modules'))
    )
      return
    warn(warning)
  }
})

export default [entry('main'), entry('post')]
