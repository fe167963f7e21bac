// Lets `node` run the action's TypeScript sources directly (Node >= 24 strips types): src/ imports its
// siblings as `./x.js` (the form the bundler and tsc want); this resolve hook maps such an import to the
// `.ts` file when no `.js` exists. Used only by auth-step.mjs until the bundle (dist/) can be built.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export async function resolve(specifier, context, next) {
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL)
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(ts))) {
      return next(ts.href, context)
    }
  }
  return next(specifier, context)
}
