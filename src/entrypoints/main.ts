// Bundle entry for the main step (dist/main/index.js). src/main.ts only exports `run`, so tools that
// import it and call run() themselves (@github/local-action) do not run the action twice.
import { abandonedCacheCall } from '../cache/service.js'
import { run } from '../main.js'

await run()
// A cache restore abandoned at its deadline may still hold a socket open that nothing will ever close
// (the toolkit's lookup has no timeout): the step must end now, not when that socket does.
if (abandonedCacheCall()) process.exit()
