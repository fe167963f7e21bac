/**
 * The typed grants every credential kind produces: a scope (scope.ts) and the credential sent there.
 * The kinds, most explicit first: an ssh key labelled for the scope, a `credentials` line, the one
 * unlabelled ssh key, `token`. precedence.ts decides between them; the kinds' own modules (token.ts,
 * lines.ts, ssh.ts) make the claims and render what their grants need.
 */
import type { Scope } from './scope.js'
import type { SshRoute } from './ssh.js'

/** An https credential (`token` or a `credentials` line), sent as an Authorization header. */
export interface Grant extends Scope {
  username: string
  token: string
  /** Which input it came from, for messages (never the token). */
  source: string
}

export type ClaimKind = 'ssh-label' | 'credentials' | 'ssh-unlabelled' | 'token'

/** A kind's wish to serve a scope, before precedence.ts decides. */
export type Claim =
  | {
      kind: 'credentials' | 'token'
      grant: Grant
      /** The private-modules pattern the claim derives from (token). */
      pattern?: string
      /** The pattern's globs made the scope wider than the pattern (noted for the user). */
      widened?: boolean
    }
  | { kind: 'ssh-label' | 'ssh-unlabelled'; route: SshRoute; pattern?: string }

export const claimScope = (c: Claim): Scope => ('grant' in c ? c.grant : c.route)

/** Two claims with the same identity send the same credential. */
export const claimIdentity = (c: Claim): string =>
  'grant' in c ? `https ${c.grant.username}:${c.grant.token}` : `ssh key ${c.route.key}`
