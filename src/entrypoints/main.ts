// Bundle entry for the main step (dist/main/index.js). src/main.ts only exports `run`, so tools that
// import it and call run() themselves (@github/local-action) do not run the action twice.
import { run } from '../main.js'

await run()
