/**
 * Pure: who serves a scope when several credential kinds could. Most explicit first: a key labelled for
 * the scope, a `credentials` line, the one unlabelled key, then `token`. `token` comes last because its
 * default is the job's github.token, which reads only the workflow's own repository: a user who gives a
 * deploy key for acme/x means that key, not github.token.
 *
 * A labelled key or a credentials line stands for its own scope; the two pattern-derived kinds (the
 * unlabelled key, token) only fill what the explicit ones leave: they give way to any more explicit claim
 * that covers their scope. A narrower scope always wins over a broader one whatever its kind (git uses
 * the longest matching insteadOf prefix), so `token` still serves the rest of an organisation whose
 * repositories have labelled keys. Of the survivors, a claim inside another that sends the same
 * credential adds nothing.
 */
import { claimIdentity, claimScope, type Claim, type ClaimKind } from './grant.js'
import { covers, sameScope, scopeName } from './scope.js'

const RANK: Record<ClaimKind, number> = { 'ssh-label': 0, credentials: 1, 'ssh-unlabelled': 2, token: 3 }
const DERIVED: ReadonlySet<ClaimKind> = new Set(['ssh-unlabelled', 'token'])

export interface Precedence {
  kept: Claim[]
  /** Claims a more explicit kind took over, with the winner (for notes). */
  overridden: { claim: Claim; by: Claim }[]
}

export function precedence(claims: readonly Claim[]): Precedence {
  const overridden: Precedence['overridden'] = []
  const survivors = claims.filter((c) => {
    const s = claimScope(c)
    const by = claims.find(
      (o) =>
        RANK[o.kind] < RANK[c.kind] &&
        (sameScope(claimScope(o), s) || (DERIVED.has(c.kind) && covers(claimScope(o), s)))
    )
    if (by) overridden.push({ claim: c, by })
    return !by
  })
  const kept = survivors.filter((c, i) => {
    const s = claimScope(c)
    return !survivors.some((o, j) => {
      if (o === c || claimIdentity(o) !== claimIdentity(c)) return false
      const same = scopeName(claimScope(o)) === scopeName(s)
      return same ? j < i : covers(claimScope(o), s)
    })
  })
  return { kept, overridden }
}
