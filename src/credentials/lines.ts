/**
 * Pure: the `credentials` credential kind. Each line (`host[/path-prefix] username:token`, parsed by
 * inputs.ts) carries its own scope: a host and an optional literal path prefix, because git can only
 * scope credentials by URL prefix. Sent over https like `token` (http.ts).
 */
import type { CredentialLine } from '../config.js'
import type { Claim } from './grant.js'
import { scopePath } from './scope.js'

export function lineClaims(lines: readonly CredentialLine[]): Claim[] {
  return lines.map((line) => {
    const [host = '', ...elements] = line.scope.split('/')
    // parseCredentials refused what git cannot scope (scope.ts credentialScopeError).
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
