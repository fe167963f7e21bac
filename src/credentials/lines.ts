/**
 * Pure: the `credentials` credential kind. Each line (`host[/path-prefix] username:token`, parsed by
 * inputs.ts) carries its own scope: a host and an optional literal path prefix, because git can only
 * scope credentials by URL prefix. Sent over https like `token` (http.ts).
 */
import type { CredentialLine } from '../config.js'
import { InputError } from '../input-error.js'
import type { Claim } from './grant.js'
import { hasGlobMeta, scopePath } from './scope.js'

export function lineClaims(lines: readonly CredentialLine[]): Claim[] {
  return lines.map((line) => {
    const [host = '', ...elements] = line.scope.split('/')
    const scope = `'${line.scope}'`
    if (elements.some(hasGlobMeta) || hasGlobMeta(host)) {
      throw new InputError(
        'credentials',
        `Input 'credentials' has a line for ${scope} with a wildcard; git can only scope credentials by URL prefix. Write the host and an optional path prefix, e.g. 'gitlab.com/acme oauth2:<token>'.`
      )
    }
    if (elements.some((e) => e === '' || e === '.' || e === '..')) {
      throw new InputError(
        'credentials',
        `Input 'credentials' has a line for ${scope} with an empty or relative path element. Write 'host/org' or 'host/org/repo'.`
      )
    }
    return {
      kind: 'credentials',
      grant: {
        host: host.toLowerCase(),
        path: scopePath(elements, false),
        username: line.username,
        token: line.token,
        source: `input 'credentials' (${line.scope})`
      }
    }
  })
}
