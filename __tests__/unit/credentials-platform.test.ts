/**
 * The pure pieces of the credential step that depend on the platform or on go's version: the icacls
 * command line for Windows, the environment of child processes, and the GOAUTH command go runs.
 */
import { describe, expect, it } from '@jest/globals'
import { childEnvironment } from '../../src/child-env.js'
import { currentAccount, icaclsArgs, restrictToUser, type AclDeps } from '../../src/credentials/acl.js'
import { ClassifiedError } from '../../src/classified-error.js'
import {
  composeGoAuth,
  goAuthCommand,
  goAuthHeaders,
  goAuthPrefixes,
  goAuthSupported
} from '../../src/credentials/goauth.js'

describe('Windows ACLs (icacls)', () => {
  it('drops inherited entries and grants full control to the runner user only', () => {
    expect(icaclsArgs('C:\\a\\_temp\\setup-go-deps-auth-x\\netrc', 'RUNNER\\runneradmin', false)).toEqual([
      'C:\\a\\_temp\\setup-go-deps-auth-x\\netrc',
      '/inheritance:r',
      '/grant:r',
      'RUNNER\\runneradmin:F'
    ])
    // the directory: the grant is inherited by what it holds
    expect(icaclsArgs('C:\\t\\d', 'u', true)).toEqual([
      'C:\\t\\d',
      '/inheritance:r',
      '/grant:r',
      'u:(OI)(CI)F'
    ])
  })

  it('names the account as DOMAIN\\user when the runner says its domain, else the OS user', () => {
    expect(currentAccount({ USERDOMAIN: 'RUNNER', USERNAME: 'runneradmin' }, 'x')).toBe('RUNNER\\runneradmin')
    expect(currentAccount({ USERNAME: 'ci' }, 'x')).toBe('ci')
    expect(currentAccount({}, 'fromOs')).toBe('fromOs')
  })

  const windows = (icacls: AclDeps['icacls']): AclDeps => ({
    platform: 'win32',
    account: () => 'RUNNER\\ci',
    icacls
  })

  it('runs icacls on Windows and nowhere else', async () => {
    const calls: string[][] = []
    const icacls = async (args: string[]) => {
      calls.push(args)
      return { exitCode: 0, output: '' }
    }
    await restrictToUser('C:\\t\\d', true, windows(icacls))
    await restrictToUser('/tmp/d', true, { ...windows(icacls), platform: 'linux' })
    expect(calls).toEqual([icaclsArgs('C:\\t\\d', 'RUNNER\\ci', true)])
  })

  it('fails closed: an icacls that fails or cannot start is a config error naming the path and the answer', async () => {
    const denied = restrictToUser(
      'C:\\t\\netrc',
      false,
      windows(async () => ({ exitCode: 5, output: 'Access is denied.' }))
    )
    await expect(denied).rejects.toThrow(ClassifiedError)
    await expect(denied).rejects.toMatchObject({
      errorClass: 'config',
      message: expect.stringMatching(
        /'C:\\t\\netrc' to RUNNER\\ci with icacls \(exit code 5: Access is denied\.\)/
      )
    })
    const missing = restrictToUser(
      'C:\\t\\d',
      true,
      windows(async () => {
        throw new Error('Unable to locate executable file: icacls.')
      })
    )
    await expect(missing).rejects.toThrow(/Unable to locate executable file: icacls\..*none were left there/)
  })
})

describe('child process environment', () => {
  it('drops every INPUT_* variable (any case) and keeps the rest, extras on top', () => {
    const env = {
      PATH: '/bin',
      INPUT_TOKEN: 't',
      'INPUT_SSH-PRIVATE-KEY': 'k',
      Input_Credentials: 'c',
      GOFLAGS: '-x'
    }
    expect(childEnvironment({ GOTOOLCHAIN: 'local' }, env)).toEqual({
      PATH: '/bin',
      GOFLAGS: '-x',
      GOTOOLCHAIN: 'local'
    })
  })
})

describe('GOAUTH (Go >= 1.24)', () => {
  it('is used from Go 1.24 on, prereleases included', () => {
    expect(['1.23.4', '1.19', '', 'devel'].map(goAuthSupported)).toEqual([false, false, false, false])
    expect(['1.24rc1', '1.24.0', '1.26.8', 'go1.27.3'].map(goAuthSupported)).toEqual([true, true, true, true])
  })

  it("prefixes go matches: the scope without its slash, a repository's own ?go-get=1 URL too", () => {
    expect(goAuthPrefixes({ host: 'go.acme.example', path: '' })).toEqual(['https://go.acme.example'])
    expect(goAuthPrefixes({ host: 'go.acme.example', path: 'team/' })).toEqual([
      'https://go.acme.example/team'
    ])
    expect(goAuthPrefixes({ host: 'h:8443', path: 'a/repo' })).toEqual([
      'https://h:8443/a/repo',
      'https://h:8443/a/repo?go-get=1'
    ])
  })

  it("prints one block per grant in go's format", () => {
    const grant = { host: 'gitlab.com', path: 'acme/', username: 'oauth2', token: 'tok', source: 's' }
    expect(goAuthHeaders([grant])).toBe(
      `https://gitlab.com/acme\n\nAuthorization: Basic ${Buffer.from('oauth2:tok').toString('base64')}\n\n`
    )
  })

  it("puts ours first and keeps the user's list; keeps off and says why", () => {
    const ours = '"/n/node" "/t/goauth.mjs"'
    expect(composeGoAuth(ours, { value: 'netrc', source: "go's default" }, ['h/'])).toEqual({
      value: `${ours};netrc`
    })
    expect(composeGoAuth(ours, { value: 'git /w', source: 'the environment' }, ['h/']).value).toBe(
      `${ours};git /w`
    )
    const off = composeGoAuth(ours, { value: 'off', source: "'go env -w'" }, ['h/t/'])
    expect(off.value).toBeUndefined()
    expect(off.warning).toContain("GOAUTH is 'off' (from 'go env -w')")
  })

  it('quotes the paths, and refuses one GOAUTH cannot carry (go splits at ; and has no escapes)', () => {
    expect(goAuthCommand('C:\\Program Files\\node.exe', 'C:\\t\\goauth.mjs')).toBe(
      '"C:\\Program Files\\node.exe" "C:\\t\\goauth.mjs"'
    )
    expect(goAuthCommand('/n', '/t;x/goauth.mjs')).toBeUndefined()
    expect(goAuthCommand('/n"', '/t/goauth.mjs')).toBeUndefined()
  })
})
