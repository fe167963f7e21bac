/**
 * The environment for the action's child processes (go, git, ssh-keygen): the action's own environment
 * without the runner's `INPUT_*` variables. The runner passes every input to the action as INPUT_<NAME>,
 * the token, `credentials` and `ssh-private-key` included; a child inherits its parent's environment,
 * and go's git and ssh inherit go's, so without this every one of them (and anything it runs, a
 * credential helper or a proxy command included) could read the raw secrets, and they would be in the
 * /proc/<pid>/environ of every process of the download.
 */
export function childEnvironment(
  extra: Readonly<Record<string, string>> = {},
  env: NodeJS.ProcessEnv = process.env
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    // Windows names are case-insensitive: Input_Token is the same variable.
    if (value !== undefined && !/^INPUT_/i.test(name)) out[name] = value
  }
  return { ...out, ...extra }
}

/**
 * Drop the `INPUT_*` variables from this process once the inputs are parsed, so that no child inherits
 * them: not only the ones the action starts with childEnvironment(), but also the toolkit's own (tar for
 * the cache and the Go archive, the cache client), which take no environment of their own.
 */
export function forgetInputs(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(env)) if (/^INPUT_/i.test(name)) delete env[name]
}
