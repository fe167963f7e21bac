// Bundles the two entry points into dist/ as ESM for node24. The output is committed: the runner
// executes dist/ directly, without npm install.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'
import { isBuiltin } from 'node:module'

/**
 * @actions/http-client imports undici (~940 KiB, a quarter of each bundle) for one method,
 * getAgentDispatcher, which gives fetch() users a proxy dispatcher. Nothing this action bundles calls
 * it: @actions/cache, @actions/tool-cache and @actions/core use HttpClient's own http/https requests, and
 * the Azure SDK its own pipeline. Compiling that source cost every step ~35 ms of node's start (mean of 20
 * starts; V8's compileSourceTextModule scales with the file), so the import resolves to a stub instead,
 * which throws if it is ever reached (__tests__/unit/bundle.test.ts checks that nothing calls it).
 */
const noUndici = {
  name: 'no-undici',
  resolveId: (id) => (id === 'undici' ? '\0no-undici' : null),
  load: (id) =>
    id === '\0no-undici'
      ? 'export class ProxyAgent { constructor() { throw new Error("setup-go-deps: undici is not bundled (rollup.config.js)") } }'
      : null
}

/**
 * Node's built-in modules, taken with process.getBuiltinModule() instead of an ESM import. Importing a
 * built-in as ESM builds its namespace facade, which reads every export, lazy getters included: `http`'s
 * WebSocket/CloseEvent/MessageEvent load node's internal undici, `crypto`'s webcrypto/subtle load the Web
 * Crypto implementation, though nothing here uses them (~30 ms of every step's start on Node 24, measured
 * with --cpu-prof). Named imports become property reads on the module object (syntheticNamedExports), so a
 * getter runs only if the code reads it.
 */
const builtinsByGetter = {
  name: 'builtins-by-getter',
  resolveId: (id) => (isBuiltin(id) ? `\0builtin:${id.replace(/^node:/, '')}` : null),
  load: (id) =>
    id.startsWith('\0builtin:')
      ? {
          code: `export const __builtin = process.getBuiltinModule(${JSON.stringify(`node:${id.slice('\0builtin:'.length)}`)})\nexport default __builtin\n`,
          syntheticNamedExports: '__builtin'
        }
      : null
}

const entry = (name) => ({
  input: `src/entrypoints/${name}.ts`,
  output: { file: `dist/${name}/index.js`, format: 'es', sourcemap: false, inlineDynamicImports: true },
  plugins: [
    noUndici,
    builtinsByGetter,
    typescript({ tsconfig: 'tsconfig.build.json', outDir: `dist/${name}`, noEmitOnError: false }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    // A CommonJS require() of a built-in gets the module object itself, as node's require would, not a
    // frozen copy of its namespace (which a module could not assign to or compare with the original).
    commonjs({ requireReturnsDefault: (id) => id.startsWith('\0builtin:') }),
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
