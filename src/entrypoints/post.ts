// Bundle entry for the post step (dist/post/index.js); see entrypoints/main.ts.
import { abandonedCacheCall } from '../cache/service.js'
import { run } from '../post.js'

await run()
// A save abandoned at its deadline (a stalled upload) may still hold a socket open: end the step now.
if (abandonedCacheCall()) process.exit()
