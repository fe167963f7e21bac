// Bundle entry for the post step (dist/post/index.js); see entrypoints/main.ts.
import { run } from '../post.js'

await run()
