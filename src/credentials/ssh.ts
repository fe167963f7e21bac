/**
 * Pure: the ssh-key credential kind. From the parsed keys (ssh-keys.ts) and host keys (known-hosts.ts),
 * plans one ssh alias per key and endpoint, and renders the private ssh_config, known_hosts and the git
 * config entries that route each repository to its key. No effects: configure.ts writes the files (0600,
 * in the private RUNNER_TEMP directory) and runs ssh-keygen.
 *
 * How a repository reaches its key (GitHub accepts a deploy key for one repository only, and authenticates
 * the first key it knows, so offering every key to every repository fails with "Repository not found"):
 *   ssh_config:   Host setup-go-deps-1 / HostName github.com / IdentityFile <dir>/key-1 / IdentitiesOnly yes
 *                 / UserKnownHostsFile <dir>/known_hosts / StrictHostKeyChecking yes ...
 *   git config:   url."setup-go-deps-1:acme/x".insteadOf = https://github.com/acme/x (and the git@ and
 *                 ssh:// forms), in the include-scoped file of gitconfig.ts, so only go's module fetches see it
 *   core.sshCommand = ssh -F <dir>/ssh_config -o IdentitiesOnly=yes -o ControlMaster=no -o BatchMode=yes
 * git uses the longest matching insteadOf prefix, so a repository label beats an organisation's token
 * rule. insteadOf matches plain string prefixes: a label `github.com/acme/x` also catches
 * `github.com/acme/x-tools` (label that one too when it needs another key or the token).
 *
 * Host keys are always checked (StrictHostKeyChecking yes, never no or accept-new): GitHub's published
 * keys are built in, other hosts come from `ssh-known-hosts` (or the runner's /etc/ssh/ssh_known_hosts).
 * A key encrypted with a passphrase is refused here, with a message that never shows key material.
 */
import { InputError } from '../input-error.js'
import type { GitConfigEntry } from './gitconfig.js'
import {
  BUILTIN_KNOWN_HOSTS,
  KNOWN_HOSTS_INPUT,
  knownHostName,
  knownHostsCover,
  parseKnownHosts
} from './known-hosts.js'
import { isPrivateScope } from './scope.js'
import { KEY_INPUT, type SshEndpoint, type SshKey } from './ssh-keys.js'

// ---------------------------------------------------------------------------------------------------------
// Routes, aliases and files

/** One scope (scope.ts) fetched over ssh with one key: the ssh kind's grant. */
export interface SshRoute {
  host: string
  path: string
  key: number
  endpoint: SshEndpoint
  /** For messages: `key 2 (label on line 7)` or `key 1 (unlabelled: private-modules 'github.com/acme/*')`. */
  source: string
}

export interface SshAlias {
  /** The ssh_config Host name git is pointed at, e.g. setup-go-deps-1. */
  name: string
  key: number
  endpoint: Omit<SshEndpoint, 'path'>
  /** The scopes it serves, for comments. */
  scopes: string[]
}

export interface SshPlan {
  keys: SshKey[]
  routes: SshRoute[]
  aliases: SshAlias[]
  /** The private known_hosts file: GitHub's keys, then the `ssh-known-hosts` lines. */
  knownHosts: string
  /** `github.com/acme/x (ssh, key 1)` for the summary. */
  scopes: string[]
  notes: string[]
}

/** Default endpoint of a scope's host: git@host:22 (an https port in the host is not the ssh port). */
export function defaultEndpoint(host: string): SshEndpoint {
  return { user: 'git', hostName: host.replace(/:\d+$/, ''), port: 22, path: '' }
}

const endpointId = (e: Omit<SshEndpoint, 'path'>): string => `${e.user}@${e.hostName}:${e.port}`

/** Routes from the labels; two keys labelled for the same scope is an error (which one would git use?). */
export function labelledRoutes(keys: readonly SshKey[]): SshRoute[] {
  const routes: SshRoute[] = []
  for (const key of keys) {
    for (const label of key.labels) {
      const other = routes.find((r) => r.host === label.host && r.path === label.path)
      if (other && other.key !== key.number) {
        throw new InputError(
          KEY_INPUT,
          `Input '${KEY_INPUT}' labels key ${other.key} and key ${key.number} both for ${label.host}/${label.path} (line ${label.line}); git can offer only one key per repository. Keep the deploy key of that repository and remove or relabel the other.`
        )
      }
      if (other) continue
      routes.push({
        host: label.host,
        path: label.path,
        key: key.number,
        endpoint: label.endpoint ?? defaultEndpoint(label.host),
        source: `key ${key.number} (label on line ${label.line})`
      })
    }
  }
  return routes
}

export interface SshPlanInput {
  keys: SshKey[]
  routes: SshRoute[]
  /** `ssh-known-hosts`. */
  knownHosts: string
  /** /etc/ssh/ssh_known_hosts of the runner (ssh reads it too), for the coverage check only. */
  systemKnownHosts?: string
  /** The current environment: GIT_SSH_COMMAND would override our core.sshCommand. */
  env: Readonly<Record<string, string | undefined>>
  /** GOPRIVATE patterns in effect, for the note about labels go would send to the proxy. */
  privatePatterns: readonly string[]
}

export function planSsh(input: SshPlanInput): SshPlan | undefined {
  if (input.keys.length === 0) return undefined
  const notes: string[] = []
  const workflowCommand = (input.env.GIT_SSH_COMMAND ?? '').trim()
  if (workflowCommand !== '') {
    throw new InputError(
      KEY_INPUT,
      `Input '${KEY_INPUT}' is set, but the workflow sets GIT_SSH_COMMAND ('${workflowCommand.slice(0, 100)}'), which git puts before this action's ssh settings (core.sshCommand), so go's fetches would never use these keys. Remove GIT_SSH_COMMAND from the workflow's env (this action checks host keys and picks the key per repository itself).`
    )
  }
  const userKnown = parseKnownHosts(input.knownHosts, KNOWN_HOSTS_INPUT)
  const known = [
    ...parseKnownHosts(BUILTIN_KNOWN_HOSTS),
    ...userKnown,
    ...parseKnownHosts(input.systemKnownHosts ?? '')
  ]

  const aliases: SshAlias[] = []
  for (const r of input.routes) {
    const scope = `${r.host}/${r.path}`
    let alias = aliases.find((a) => a.key === r.key && endpointId(a.endpoint) === endpointId(r.endpoint))
    if (!alias) {
      const { user, hostName, port } = r.endpoint
      if (!knownHostsCover(known, hostName, port)) {
        const name = knownHostName(hostName, port)
        throw new InputError(
          KNOWN_HOSTS_INPUT,
          `Input '${KNOWN_HOSTS_INPUT}' has no host key for ${name}, where ${r.source} connects for ${scope}. ssh would refuse the connection (Host key verification failed), and this action never turns host-key checking off. Add the server's key: run 'ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${hostName}', check the fingerprint against the one your server's administrator publishes, and put the line in '${KNOWN_HOSTS_INPUT}' (GitHub's keys for github.com and ssh.github.com:443 are built in).`
        )
      }
      alias = {
        name: `setup-go-deps-${aliases.length + 1}`,
        key: r.key,
        endpoint: { user, hostName, port },
        scopes: []
      }
      aliases.push(alias)
    }
    alias.scopes.push(scope)
    if (!isPrivateScope(input.privatePatterns, r)) {
      notes.push(
        `${r.source} is for ${scope}, but no private-modules pattern names it: go asks the module proxy and checksum database for those modules instead of fetching them over ssh. Add it to 'private-modules'.`
      )
    }
  }
  for (const key of input.keys) {
    if (!input.routes.some((r) => r.key === key.number)) {
      notes.push(
        `Key ${key.number} (line ${key.line}) is not used: it has no label and no private-modules pattern on this GitHub host is left for it. Label it with '# host/org/repo'.`
      )
    }
    if (key.keyType === 'ssh-dss') {
      notes.push(`Key ${key.number} is a DSA key, which GitHub and OpenSSH >= 7.0 refuse; use ed25519.`)
    }
  }
  const knownHosts =
    `# Written by setup-go-deps; its post step deletes this file.\n${BUILTIN_KNOWN_HOSTS}` +
    userKnown
      .map((k) => `${k.marker ? `${k.marker} ` : ''}${k.patterns.join(',')} ${k.keyType} ${k.key}\n`)
      .join('')
  return {
    keys: input.keys,
    routes: input.routes,
    aliases,
    knownHosts,
    scopes: input.routes.map((r) => `${r.host}/${r.path} (ssh, key ${r.key})`),
    notes
  }
}

/** The files of the ssh setup inside the private directory. */
export interface SshFiles {
  config: string
  knownHosts: string
  key: (n: number) => string
}

export function sshFiles(dir: string, join: (...p: string[]) => string): SshFiles {
  return {
    config: join(dir, 'ssh_config'),
    knownHosts: join(dir, 'known_hosts'),
    key: (n) => join(dir, `key-${n}`)
  }
}

/** A path as ssh_config wants it: forward slashes, `%` doubled (ssh expands %-tokens in these), quoted. */
function configPath(p: string): string {
  if (/["\n]/.test(p)) throw new Error(`cannot use a path with a quote or newline in ssh_config: ${p}`)
  return `"${p.replace(/\\/g, '/').replace(/%/g, '%%')}"`
}

/**
 * The private ssh_config. ssh takes the first value it finds for each option, so our alias blocks come
 * first and set every option that decides security; the user's ~/.ssh/config is included last, for hosts
 * that are not ours (and options we leave open, e.g. a ProxyCommand a corporate network needs).
 * ControlMaster/ControlPath: a multiplexing master from the user's config would outlive the step (and keep
 * go's pipes open: golang/go#13453, #16104).
 */
export function serializeSshConfig(plan: SshPlan, files: SshFiles): string {
  const out = ['# Written by setup-go-deps for Go module fetches; its post step deletes this file.']
  for (const a of plan.aliases) {
    out.push(
      '',
      `# key ${a.key} for ${a.scopes.join(', ')}`,
      `Host ${a.name}`,
      `  HostName ${a.endpoint.hostName}`,
      `  Port ${a.endpoint.port}`,
      `  User ${a.endpoint.user}`,
      `  IdentityFile ${configPath(files.key(a.key))}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      '  PubkeyAuthentication yes',
      '  PasswordAuthentication no',
      '  KbdInteractiveAuthentication no',
      '  BatchMode yes',
      `  UserKnownHostsFile ${configPath(files.knownHosts)}`,
      '  StrictHostKeyChecking yes',
      '  UpdateHostKeys no',
      '  CheckHostIP no',
      '  ControlMaster no',
      '  ControlPath none',
      '  ForwardAgent no',
      '  ClearAllForwardings yes',
      '  PermitLocalCommand no',
      '  ConnectTimeout 30',
      '  ServerAliveInterval 15',
      '  ServerAliveCountMax 4'
    )
  }
  out.push('', '# Other hosts: as the user configured them.', 'Match all', '  Include ~/.ssh/config', '')
  return out.join('\n')
}

/** Quote for the POSIX shell git runs core.sshCommand with. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * core.sshCommand for go's fetches. ControlMaster=no and BatchMode=yes are what cmd/go itself puts in
 * GIT_SSH_COMMAND when neither GIT_SSH nor GIT_SSH_COMMAND is set (cmd/go/internal/modload/init.go,
 * golang/go#13453, #16104); configure.ts sets GIT_SSH so that go leaves GIT_SSH_COMMAND alone and this wins.
 */
export function sshCommand(configFile: string): string {
  return `ssh -F ${shellQuote(configFile.replace(/\\/g, '/'))} -o IdentitiesOnly=yes -o ControlMaster=no -o BatchMode=yes`
}

/**
 * The git config entries: core.sshCommand, then per route the https, git@ and ssh:// forms of its scope
 * onto `<alias>:<path>`. The https form is what go uses for github.com modules (https://github.com/acme/x);
 * the ssh forms come from go-import meta tags and user rules. A host with an https port gets only the
 * https form (`git@host:` cannot carry it).
 */
export function sshGitConfig(plan: SshPlan, files: SshFiles): GitConfigEntry[] {
  const entries: GitConfigEntry[] = [{ key: 'core.sshCommand', value: sshCommand(files.config) }]
  for (const r of plan.routes) {
    const alias = plan.aliases.find(
      (a) => a.key === r.key && endpointId(a.endpoint) === endpointId(r.endpoint)
    ) as SshAlias
    const prefix = r.path === '' || r.path.endsWith('/')
    const serverPath = r.endpoint.path === '' ? r.path : prefix ? `${r.endpoint.path}/` : r.endpoint.path
    const target = `${alias.name}:${serverPath}`
    entries.push({ key: `url.${target}.insteadOf`, value: `https://${r.host}/${r.path}` })
    if (!/:\d+$/.test(r.host)) {
      entries.push({ key: `url.${target}.insteadOf`, value: `git@${r.host}:${r.path}` })
      entries.push({ key: `url.${target}.insteadOf`, value: `ssh://git@${r.host}/${r.path}` })
    }
  }
  return entries
}
