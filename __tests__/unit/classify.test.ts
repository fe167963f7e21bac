/**
 * The classifier over real go output. Every text below was printed by go (or by git through go) and is
 * quoted from the cited public issue, or was printed by go 1.19.8 on this machine against a loopback
 * server (marked "go1.19 local": the server answered the status named). Texts are kept byte-for-byte
 * where the source allowed (issue excerpts lose tabs; go indents continuation lines with a tab).
 */
import { describe, expect, it } from '@jest/globals'
import {
  asCacheCorrupt,
  classify,
  classifyModules,
  classifyText,
  isRateLimited,
  moduleOf,
  repositoryOf,
  retryAfterMs,
  timeoutDiagnosis,
  worst
} from '../../src/download/classify.js'
import type { ErrorClass } from '../../src/types.js'

interface Case {
  source: string
  text: string
  errorClass: ErrorClass
  retryable: boolean
  module?: string
  /** A word the hint must contain (the input or variable the user should touch). */
  hint?: string
}

const SECURITY_GOSUM = `SECURITY ERROR
This download does NOT match an earlier download recorded in go.sum.
The bits may have been replaced on the origin server, or an attacker may
have intercepted the download attempt.

For more information, see 'go help module-auth'.`

const CASES: Case[] = [
  // ---- auth -------------------------------------------------------------------------------------
  {
    source: 'dependabot/dependabot-core#4149 (go 1.17 output)',
    text: "go: github.com/dependabot-fixtures/go-modules-private@v0.0.1: reading github.com/dependabot-fixtures/go-modules-private/go.mod at revision v0.0.1: git ls-remote -q origin in /home/dependabot/go/pkg/mod/cache/vcs/51c9292b9f45a35312c3863da5428630dd2a800586fd865c7065132199b41694: exit status 128:\n\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\nConfirm the import path was entered correctly.\nIf this is a private repository, see https://golang.org/doc/faq#git_https for additional information.",
    errorClass: 'auth',
    retryable: false,
    module: 'github.com/dependabot-fixtures/go-modules-private@v0.0.1',
    hint: 'private-modules'
  },
  {
    source: 'quintex-dev/asterisk-ari-go#2 (go 1.19/1.20, GIT_TERMINAL_PROMPT=1 run)',
    text: "go: module github.com/quintex/go-asterisk-api-client: git ls-remote -q origin in /home/vagrant/go/pkg/mod/cache/vcs/13fb3104de348f974e5e31d8d77b5cec30653bffe6615e6069bafd8cdc96de6f: exit status 128:\n\tremote: Repository not found.\n\tfatal: repository 'https://github.com/quintex/go-asterisk-api-client/' not found",
    errorClass: 'auth',
    retryable: false,
    hint: 'token'
  },
  {
    source: 'projectdiscovery/nuclei#921: invalid version wrapping an auth failure',
    text: "go get: github.com/prologic/smtpd@v0.0.0-20210126001904-0893ad18168e: invalid version: git fetch -f origin refs/heads/*:refs/heads/* refs/tags/*:refs/tags/* in /root/go-workspace/pkg/mod/cache/vcs/65b3100cfa8e2061b6047e41aaceb4a1e850f70977a718cfde5bd0e009bb0722: exit status 128:\n\tfatal: could not read Username for 'https://github.com': terminal prompts disabled",
    errorClass: 'auth',
    retryable: false,
    module: 'github.com/prologic/smtpd@v0.0.0-20210126001904-0893ad18168e'
  },
  {
    source: 'theopenlane/core#2032 (go mod download, --end-of-options era)',
    text: "go: github.com/theopenlane/corejobs@v0.1.9: invalid version: git ls-remote -q --end-of-options origin in /home/openlane/go/pkg/mod/cache/vcs/ed2767f946cf841b50add56f5bdc1452ef390ab528c50f4c92a70b5fa309cc26: exit status 128:\n\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\nConfirm the import path was entered correctly.\nIf this is a private repository, see https://golang.org/doc/faq#git_https for additional information.",
    errorClass: 'auth',
    retryable: false,
    module: 'github.com/theopenlane/corejobs@v0.1.9'
  },
  {
    source: 'golang/go#50776 (insteadOf to ssh without a key)',
    text: 'go: github.com/inconshreveable/mousetrap@v1.0.0: reading github.com/inconshreveable/mousetrap/go.mod at revision v1.0.0: git ls-remote -q origin in /home/jc/go/pkg/mod/cache/vcs/b31cc6adcdb1f156865c53a0fef7b8e24003f65599b9dd226954d55bf79673fe: exit status 128:\n\tgit@github.com: Permission denied (publickey).\n\tfatal: Could not read from remote repository.\n\n\tPlease make sure you have the correct access rights\n\tand the repository exists.',
    errorClass: 'auth',
    retryable: false,
    module: 'github.com/inconshreveable/mousetrap@v1.0.0',
    hint: 'ssh-private-key'
  },
  {
    source: 'concourse/semver-resource#3 (git over ssh, unknown host key)',
    text: "Cloning into '/tmp/semver-git-repo'...\nHost key verification failed.\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\nerror bumping version: exit status 128",
    errorClass: 'auth',
    retryable: false,
    hint: 'ssh-known-hosts'
  },
  {
    source: 'docker-library/golang#237 (go get, GOPATH mode)',
    text: "# cd .; git clone https://github.com/Psiphon-Inc/goregen /go/src/github.com/Psiphon-Inc/goregen\nCloning into '/go/src/github.com/Psiphon-Inc/goregen'...\nfatal: could not read Username for 'https://github.com': terminal prompts disabled\npackage github.com/Psiphon-Inc/goregen: exit status 128",
    errorClass: 'auth',
    retryable: false
  },
  // ---- git (transient) ----------------------------------------------------------------------------
  {
    source: 'GoesToEleven/golang-web-dev#36',
    text: "Cloning into 'C:\\GoWorkspace\\src\\github.com\\GoesToEleven\\golang-web-dev'...\nfatal: early EOF\nfatal: the remote end hung up unexpectedly\nfatal: index-pack failed\nerror: RPC failed; curl 18 transfer closed with outstanding read data remaining\npackage github.com/GoesToEleven/golang-web-dev: exit status 128",
    errorClass: 'git',
    retryable: true
  },
  {
    source: 'edgexfoundry/edgex-go#521',
    text: 'error: RPC failed; curl 56 GnuTLS recv error (-9): A TLS packet with unexpected length was received.\nThe remote end hung up unexpectedly\nearly EOF\nindex-pack failed\nexit status 128',
    errorClass: 'git',
    retryable: true
  },
  {
    source: 'caicloud/cyclone#1250',
    text: 'error: RPC failed; curl 56 GnuTLS recv error (-9): Error decoding the received TLS packet.\nfatal: the remote end hung up unexpectedly\nfatal: early EOF\nfatal: index-pack failed',
    errorClass: 'git',
    retryable: true
  },
  {
    source: 'h12w/socks#8',
    text: "# cd .; git clone https://h12.me/socks /home/guru/workspace/go/src/h12.me/socks\nCloning into '/home/guru/workspace/go/src/h12.me/socks'...\nfatal: unable to access 'https://h12.me/socks/': gnutls_handshake() failed: Handshake failed\npackage h12.me/socks: exit status 128",
    errorClass: 'git',
    retryable: true
  },
  {
    source:
      'constructed in go 1.19 format (design rule): a bare exit status 128 with nothing permanent is retried',
    text: 'go: example.com/private/lib@v1.2.0: git fetch -f origin refs/heads/*:refs/heads/* refs/tags/*:refs/tags/* in /home/runner/go/pkg/mod/cache/vcs/0b6a3e: exit status 128',
    errorClass: 'git',
    retryable: true,
    module: 'example.com/private/lib@v1.2.0'
  },
  // ---- checksum -----------------------------------------------------------------------------------
  {
    source: 'taosdata/taosadapter#62 (go.mod line)',
    text: `verifying github.com/huskar-t/file-rotatelogs/v2@v2.4.1/go.mod: checksum mismatch\n\tdownloaded: h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\n\tgo.sum:     h1:8ULZrsgVJPDgP9QY8mL6/xlHT4FM/wtp4l8UYew+3f8=\n\n${SECURITY_GOSUM}`,
    errorClass: 'checksum',
    retryable: false,
    module: 'github.com/huskar-t/file-rotatelogs/v2@v2.4.1'
  },
  {
    source: 'google/gofuzz#32 (checksum database)',
    text: 'verifying github.com/google/gofuzz@v1.0.0/go.mod: checksum mismatch\n\tdownloaded: h1:HP5RmnzzSNb993RKQDq4+1A4ia9nllfqcQFTQJedwGI=\n\tsum.golang.org: h1:dBl0BpW6vV/+mYPU4Po3pmUjxk6FQPldtuIdl/M65Eg=\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.',
    errorClass: 'checksum',
    retryable: false,
    module: 'github.com/google/gofuzz@v1.0.0'
  },
  {
    source: 'ecies/go#34',
    text: "go: github.com/ecies/go/v2@v2.0.3: verifying module: checksum mismatch\n\tdownloaded: h1:gosZ7+G8LFo0NHPGR7//Lcj7r5gzVRthWl/De3QVay8=\n\tsum.golang.org: h1:rtz3x6uw+if+lt4a39JnCi7M/B35l1JShCXTOBe3LPw=\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.",
    errorClass: 'checksum',
    retryable: false,
    module: 'github.com/ecies/go/v2@v2.0.3'
  },
  {
    source: 'go1.19 local: go.sum altered, go mod download -json (stderr, no JSON: a base.Fatalf)',
    text: `verifying example.com/dep@v1.0.0: checksum mismatch\n\tdownloaded: h1:3OV+hLpPP8KbS35ITFumnqmOHO0Pb0QWv90JPCMFrBs=\n\tgo.sum:     h1:AAAAhLpPP8KbS35ITFumnqmOHO0Pb0QWv90JPCMFrBs=\n\n${SECURITY_GOSUM}\n`,
    errorClass: 'checksum',
    retryable: false,
    module: 'example.com/dep@v1.0.0',
    hint: 'Do not bypass'
  },
  // ---- cache-corrupt ------------------------------------------------------------------------------
  {
    source: 'go1.19 local: garbage in cache/download/.../v1.0.0.zip',
    text: 'unzip /tmp/h4x/gopath/pkg/mod/cache/download/example.com/dep/@v/v1.0.0.zip: zip: not a valid zip file',
    errorClass: 'cache-corrupt',
    retryable: true
  },
  {
    source: 'goproxyio/goproxy#107',
    text: 'github.com/sirupsen/logrus@v1.4.2: zip: not a valid zip file',
    errorClass: 'cache-corrupt',
    retryable: true,
    module: 'github.com/sirupsen/logrus@v1.4.2'
  },
  {
    source: 'ignite/cli#3639',
    text: 'verifying go.opencensus.io@v0.24.0: zip: not a valid zip file',
    errorClass: 'cache-corrupt',
    retryable: true,
    module: 'go.opencensus.io@v0.24.0'
  },
  {
    source: 'filecoin-project/venus#2566',
    text: 'verifying github.com/libp2p/go-libp2p-secio@v0.0.1: unexpected ziphash: ""',
    errorClass: 'cache-corrupt',
    retryable: true,
    module: 'github.com/libp2p/go-libp2p-secio@v0.0.1'
  },
  // ---- config -------------------------------------------------------------------------------------
  {
    source: "go1.19 local: GOSUMDB='bad key!'",
    text: 'example.com/dep@v1.0.0: verifying go.mod: invalid GOSUMDB: malformed verifier id',
    errorClass: 'config',
    retryable: false,
    module: 'example.com/dep@v1.0.0',
    hint: 'gosumdb'
  },
  {
    source: 'go1.19 local: GOPROXY=off',
    text: 'example.com/dep@v1.0.0: module lookup disabled by GOPROXY=off',
    errorClass: 'config',
    retryable: false,
    hint: 'GOPROXY=off'
  },
  {
    source: 'golang/go#43596',
    text: 'go get rsc.io/nonexist.git/hello: GOVCS disallows using git for public rsc.io/nonexist.git',
    errorClass: 'config',
    retryable: false,
    hint: 'GOVCS'
  },
  {
    source: 'vmware-tanzu/vm-operator#565 (go 1.22, GOTOOLCHAIN=local)',
    text: 'go: go.mod requires go >= 1.22.4 (running go 1.22.3; GOTOOLCHAIN=local)',
    errorClass: 'config',
    retryable: false,
    hint: 'go-version'
  },
  {
    source: 'cloudfoundry/go-buildpack#526',
    text: 'go: go.mod requires go >= 1.23.0 (running go 1.22.5; GOTOOLCHAIN=local)',
    errorClass: 'config',
    retryable: false
  },
  {
    source: 'go1.19 local: malformed path argument',
    text: 'Example..com/dep@v1.0.0: malformed module path "Example..com/dep": invalid char \'E\' in first path element',
    errorClass: 'config',
    retryable: false
  },
  {
    source: 'golang/go#35164 via jfrog/jfrog-cli#468: a private module sent to sum.golang.org',
    text: 'verifying github.com/Nvveen/Gotty@v0.0.0-20161109172849-6018b68f96b8: github.com/Nvveen/Gotty@v0.0.0-20161109172849-6018b68f96b8: reading https://sum.golang.org/lookup/github.com/!nvveen/!gotty@v0.0.0-20161109172849-6018b68f96b8: 410 Gone',
    errorClass: 'config',
    retryable: false,
    module: 'github.com/Nvveen/Gotty@v0.0.0-20161109172849-6018b68f96b8',
    hint: 'private-modules'
  },
  {
    source: 'gomods/athens#1363',
    text: 'verifying git.internal/somerepo/reponame.git/modulename@v0.0.0-20191114092859-171bbba0dc23/go.mod: git.internal/somerepo/reponame.git/modulename@v0.0.0-20191114092859-171bbba0dc23/go.mod: reading https://sum.golang.org/lookup/git.internal/somerepo/reponame.git/modulename@v0.0.0-20191114092859-171bbba0dc23: 410 Gone',
    errorClass: 'config',
    retryable: false,
    hint: 'gonosumdb'
  },
  // ---- not-found ----------------------------------------------------------------------------------
  {
    source: 'dependabot/dependabot-core#4149 (go 1.16 output)',
    text: 'go: github.com/dependabot-fixtures/go-modules-private@v0.0.1: reading github.com/dependabot-fixtures/go-modules-private/go.mod at revision v0.0.1: unknown revision v0.0.1',
    errorClass: 'not-found',
    retryable: false,
    module: 'github.com/dependabot-fixtures/go-modules-private@v0.0.1'
  },
  {
    source: 'hillu/go-yara#74',
    text: 'go get github.com/hillu/go-yara@v4.0.2: github.com/hillu/go-yara@v4.0.2: invalid version: module contains a go.mod file, so major version must be compatible: should be v0 or v1, not v4',
    errorClass: 'not-found',
    retryable: false
  },
  {
    source: 'golang/go#31518',
    text: 'go get rsc.io/quote/...: no matching versions for query "latest"',
    errorClass: 'not-found',
    retryable: false
  },
  {
    source: 'go1.19 local: proxy answered 404',
    text: 'example.com/dep@v1.0.0: reading http://127.0.0.1:18701/example.com/dep/@v/v1.0.0.info: 404 Not Found',
    errorClass: 'not-found',
    retryable: false,
    module: 'example.com/dep@v1.0.0'
  },
  {
    source: 'go1.19 local: proxy answered 410',
    text: 'go: example.com/dep@v1.0.0: reading http://127.0.0.1:18702/example.com/dep/@v/v1.0.0.mod: 410 Gone',
    errorClass: 'not-found',
    retryable: false
  },
  {
    source: 'jfrog/jfrog-cli#468 (gocenter sumdb proxy answered 404)',
    text: 'verifying github.com/Nvveen/Gotty@v0.0.0-20161109172849-6018b68f96b8: github.com/Nvveen/Gotty@v0.0.0-20161109172849-6018b68f96b8: reading https://gocenter.io/sumdb/sum.golang.org/lookup/github.com/!nvveen/!gotty@v0.0.0-20161109172849-6018b68f96b8: 404 Not Found',
    errorClass: 'not-found',
    retryable: false
  },
  {
    source: 'golang/go#79889: a proxy 404 quoting a git failure is still a not-found (the proxy caches it)',
    text: 'go: kilabit.info/pakakeh.go/cmd/bcrypt imports\n\tgolang.org/x/crypto/bcrypt: kilabit.info/go-x-crypto@v0.52.1-0.20260607044442-76ea9c5a720e: verifying module: kilabit.info/go-x-crypto@v0.52.1-0.20260607044442-76ea9c5a720e: reading https://sum.golang.org/lookup/kilabit.info/go-x-crypto@v0.52.1-0.20260607044442-76ea9c5a720e: 404 Not Found\n\tserver response:\n\tnot found: kilabit.info/go-x-crypto@v0.52.1-0.20260607044442-76ea9c5a720e: invalid version: git fetch -f --end-of-options origin refs/heads/*:refs/heads/* refs/tags/*:refs/tags/* in /tmp/gopath/pkg/mod/cache/vcs/3663485650eefaef43f07cff0b206bd878d32759306929461090d5f6716e93de: exit status 128:\n\t\terror: inflate: data stream error (incorrect header check)',
    errorClass: 'not-found',
    retryable: false
  },
  // ---- proxy (transient) --------------------------------------------------------------------------
  ...(
    [
      ['500 Internal Server Error', 18703],
      ['502 Bad Gateway', 18704],
      ['503 Service Unavailable', 18705],
      ['504 Gateway Timeout', 18706]
    ] as const
  ).map(([status, port]): Case => ({
    source: `go1.19 local: proxy answered ${status}`,
    text: `example.com/dep@v1.0.0: reading http://127.0.0.1:${port}/example.com/dep/@v/v1.0.0.info: ${status}`,
    errorClass: 'proxy',
    retryable: true,
    module: 'example.com/dep@v1.0.0',
    hint: 'fallback-proxies'
  })),
  {
    source: 'go1.19 local: proxy answered 429',
    text: 'example.com/dep@v1.0.0: reading http://127.0.0.1:18707/example.com/dep/@v/v1.0.0.info: 429 Too Many Requests',
    errorClass: 'proxy',
    retryable: true,
    hint: 'parallel'
  },
  {
    source: 'goproxy/goproxy.cn#150',
    text: 'go mod download: bazil.org/fuse@v0.0.0-20160811212531-371fbbdaa898: reading https://goproxy.cn/bazil.org/fuse/@v/v0.0.0-20160811212531-371fbbdaa898.mod: 429 Too Many Requests',
    errorClass: 'proxy',
    retryable: true,
    module: 'bazil.org/fuse@v0.0.0-20160811212531-371fbbdaa898'
  },
  {
    source: 'schollz/progressbar#37 (go 1.12 wording)',
    text: 'go: github.com/schollz/progressbar@v0.0.0-20190307141100-7e454dc2feed: unexpected status (https://goproxy.cn/github.com/schollz/progressbar/@v/v0.0.0-20190307141100-7e454dc2feed.info): 500 Internal Server Error',
    errorClass: 'proxy',
    retryable: true
  },
  {
    source: 'goproxyio/goproxy#137',
    text: 'gopkg.in/src-d/go-git-fixtures.v3@v3.5.0: stream error: stream ID 637; INTERNAL_ERROR',
    errorClass: 'proxy',
    retryable: true,
    module: 'gopkg.in/src-d/go-git-fixtures.v3@v3.5.0'
  },
  {
    source: 'goproxy/goproxy.cn#226',
    text: '../../../../go/pkg/mod/****.go:12:2: github.com/grpc-ecosystem/grpc-gateway/v2@v2.6.0: stream error: stream ID 3; INTERNAL_ERROR; received from peer',
    errorClass: 'proxy',
    retryable: true
  },
  {
    source: 'goproxyio/goproxy#199 (sumdb through the proxy)',
    text: 'go get: github.com/gin-gonic/contrib@v0.0.0-20201101042839-6a891bf89f19: verifying module: github.com/gin-gonic/contrib@v0.0.0-20201101042839-6a891bf89f19: reading https://goproxy.io/sumdb/sum.golang.org/lookup/github.com/gin-gonic/contrib@v0.0.0-20201101042839-6a891bf89f19: stream error: stream ID 11; INTERNAL_ERROR',
    errorClass: 'proxy',
    retryable: true
  },
  // ---- network ------------------------------------------------------------------------------------
  {
    source: 'testground/testground#1185',
    text: 'go: github.com/kr/text@v0.2.0/go.mod: verifying module: github.com/kr/text@v0.2.0/go.mod: Get "https://sum.golang.org/lookup/github.com/kr/text@v0.2.0": dial tcp 172.217.160.81:443: i/o timeout',
    errorClass: 'network',
    retryable: true,
    module: 'github.com/kr/text@v0.2.0'
  },
  {
    source: 'jmozah/exportSwarmKey#3',
    text: 'go: github.com/ethereum/go-ethereum@v1.9.25: Get "https://proxy.golang.org/github.com/ethereum/go-ethereum/@v/v1.9.25.mod": dial tcp 142.250.206.209:443: i/o timeout',
    errorClass: 'network',
    retryable: true
  },
  {
    source: 'golang/go#65662 (DNS timeout)',
    text: 'go: github.com/Dlizzz/catsnn/cmd/controller imports\n\tgo.uber.org/zap: module go.uber.org/zap: Get "https://proxy.golang.org/go.uber.org/zap/@v/list": dial tcp: lookup proxy.golang.org on 172.17.240.1:53: read udp 10.88.0.149:36444->172.17.240.1:53: i/o timeout',
    errorClass: 'network',
    retryable: true
  },
  {
    source: 'kubernetes-sigs/kube-scheduler-simulator#136',
    text: 'go: github.com/golang/mock@v1.4.4: Get "https://proxy.golang.org/github.com/golang/mock/@v/v1.4.4.mod": dial tcp: i/o timeout',
    errorClass: 'network',
    retryable: true
  },
  {
    source: 'darlinghq/darling#1454',
    text: 'pipe/checker_notwin.go:14:2: github.com/sirupsen/logrus@v1.9.3: Get "https://proxy.golang.org/github.com/sirupsen/logrus/@v/v1.9.3.zip": net/http: TLS handshake timeout',
    errorClass: 'network',
    retryable: true,
    module: 'github.com/sirupsen/logrus@v1.9.3'
  },
  {
    source: 'go1.19 local: nothing listening',
    text: 'example.com/dep@v1.0.0: Get "http://127.0.0.1:1/example.com/dep/@v/v1.0.0.info": dial tcp 127.0.0.1:1: connect: connection refused',
    errorClass: 'network',
    retryable: true
  },
  {
    source: 'go1.19 local: GOPROXY host that does not exist (NXDOMAIN is final)',
    text: 'example.com/dep@v1.0.0: Get "http://nonexistent.invalid/example.com/dep/@v/v1.0.0.info": dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host',
    errorClass: 'network',
    retryable: false,
    hint: 'goproxy'
  },
  {
    source:
      'constructed from the golang/go#34548 message: NXDOMAIN for proxy.golang.org is the runner resolver, retried',
    text: 'go: github.com/kr/pty@v1.1.5: Get "https://proxy.golang.org/github.com/kr/pty/@v/v1.1.5.mod": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: no such host',
    errorClass: 'network',
    retryable: true
  },
  // ---- unknown ------------------------------------------------------------------------------------
  {
    source: 'go1.19 local: nothing recognisable and not git',
    text: 'go: something new that no rule knows about',
    errorClass: 'unknown',
    retryable: false
  }
]

describe('classifyText over real go output', () => {
  it('has at least 40 real texts', () => {
    expect(CASES.filter((c) => !c.source.startsWith('constructed')).length).toBeGreaterThanOrEqual(40)
  })

  it.each(CASES.map((c) => [c.source, c] as const))('%s', (_source, c) => {
    const d = classifyText(c.text)
    expect({ errorClass: d.errorClass, retryable: d.retryable }).toEqual({
      errorClass: c.errorClass,
      retryable: c.retryable
    })
    if (c.module) expect(d.module).toBe(c.module)
    if (c.hint) expect(d.hint).toContain(c.hint)
    expect(d.cause.length).toBeGreaterThan(10)
    // The evidence is a line of what go printed, so a user can find it in the log.
    if (d.errorClass !== 'unknown') expect(c.text).toContain(d.evidence)
  })
})

describe('the auth hint for deploy keys', () => {
  const bySource = (prefix: string): string => CASES.find((c) => c.source.startsWith(prefix))!.text
  const deployKeyLine = (hint: string): string | undefined =>
    /If you use deploy keys, add this repository's key to 'ssh-private-key' with a line '# ([^']+)' before it\./.exec(
      hint
    )?.[1]

  it('names the label line of the module that could not read a username, and keeps token and private-modules', () => {
    const d = classifyText(bySource('dependabot/dependabot-core#4149'))
    expect(d.errorClass).toBe('auth')
    expect(deployKeyLine(d.hint)).toBe('github.com/dependabot-fixtures/go-modules-private')
    expect(d.hint).toContain("'token'")
    expect(d.hint).toContain("'private-modules'")
  })

  it("takes the repository from git's 'Repository not found' URL when go names no version", () => {
    const d = classifyText(bySource('quintex-dev/asterisk-ari-go#2'))
    expect(d.module).toBeUndefined()
    expect(deployKeyLine(d.hint)).toBe('github.com/quintex/go-asterisk-api-client')
  })

  it('uses the JSON module of a go mod download -json object', () => {
    const [d] = classifyModules([
      {
        Path: 'github.com/acme/m1',
        Version: 'v1.0.0',
        Error:
          "github.com/acme/m1@v1.0.0: invalid version: git ls-remote -q origin in /home/runner/go/pkg/mod/cache/vcs/5f2a: exit status 128:\n\tfatal: could not read Username for 'https://github.com': terminal prompts disabled"
      }
    ])
    expect(deployKeyLine(d!.hint)).toBe('github.com/acme/m1')
  })

  it('keeps a placeholder when neither go nor git named the repository', () => {
    const d = classifyText(bySource('docker-library/golang#237'))
    expect(d.errorClass).toBe('auth')
    expect(deployKeyLine(d.hint)).toBe('<host>/<org>/<repo>')
  })

  it('is only on the token-style auth failures, not on ssh ones', () => {
    expect(classifyText(bySource('golang/go#50776')).hint).not.toContain('If you use deploy keys')
    expect(classifyText(bySource('GoesToEleven/golang-web-dev#36')).hint).not.toContain('deploy keys')
  })

  it.each([
    [
      'a subdirectory module lives in its GitHub repository',
      'github.com/acme/repo/sub/v2@v2.1.0',
      'github.com/acme/repo'
    ],
    [
      'a /vN module of another host drops the major suffix',
      'go.acme.example/lib/v3@v3.0.0',
      'go.acme.example/lib'
    ],
    ['a module path without a version', 'gitlab.com/grp/sub/proj', 'gitlab.com/grp/sub/proj'],
    ['a bare host is no repository', 'github.com/acme@v1.0.0', undefined]
  ])('repositoryOf: %s', (_what, mod, repo) => {
    expect(
      repositoryOf("fatal: could not read Username for 'https://github.com': terminal prompts disabled", mod)
    ).toBe(repo)
  })

  it.each([
    [
      'Authentication failed',
      "fatal: Authentication failed for 'https://github.com/acme/m1/'",
      'github.com/acme/m1'
    ],
    [
      'Repository not found, with a port and .git',
      "remote: Repository not found.\nfatal: repository 'https://git.example.org:8443/a/b/c.git/' not found",
      'git.example.org/a/b/c'
    ],
    [
      'a 403 on a URL with a user name',
      "fatal: unable to access 'https://x-access-token@github.com/acme/m2/': The requested URL returned error: 403",
      'github.com/acme/m2'
    ]
  ])("repositoryOf prefers git's URL over the module path: %s", (_what, text, repo) => {
    expect(repositoryOf(text, 'go.acme.example/lib@v1.0.0')).toBe(repo)
  })
})

describe('classifier details', () => {
  it('keeps the SECURITY ERROR text in the cause of a checksum mismatch', () => {
    const d = classifyText(CASES.find((c) => c.source.startsWith('go1.19 local: go.sum altered'))!.text)
    expect(d.cause).toContain('SECURITY ERROR')
    expect(d.cause).toContain('does NOT match an earlier download recorded in go.sum')
    expect(d.evidence).toBe('verifying example.com/dep@v1.0.0: checksum mismatch')
  })

  it('treats a proxy 404 that quotes a git auth failure as a private module sent to the proxy', () => {
    const text =
      "go: github.com/acme/private@v1.4.0: reading https://proxy.golang.org/github.com/acme/private/@v/v1.4.0.info: 404 Not Found\n\tserver response:\n\tnot found: github.com/acme/private@v1.4.0: invalid version: git ls-remote -q origin in /tmp/gopath/pkg/mod/cache/vcs/abc: exit status 128:\n\t\tfatal: could not read Username for 'https://github.com': terminal prompts disabled"
    const d = classifyText(text)
    expect(d.errorClass).toBe('config')
    expect(d.retryable).toBe(false)
    expect(d.hint).toContain("'private-modules'")
    expect(d.module).toBe('github.com/acme/private@v1.4.0')
  })

  it('explains , versus | in the proxy hint', () => {
    const d = classifyText(
      'x.org/m@v1.0.0: reading https://proxy.example/x.org/m/@v/v1.0.0.zip: 502 Bad Gateway'
    )
    expect(d.hint).toContain("with ','")
    expect(d.hint).toContain("with '|'")
  })

  it('names the module from JSON objects, not from the text', () => {
    const ds = classifyModules([
      {
        Path: 'a.org/x',
        Version: 'v1.0.0',
        Error: 'reading https://p/a.org/x/@v/v1.0.0.zip: 503 Service Unavailable'
      },
      { Path: 'b.org/y', Version: 'v2.0.0', Dir: '/mod/b.org/y@v2.0.0' }
    ])
    expect(ds).toHaveLength(1)
    expect(ds[0]?.module).toBe('a.org/x@v1.0.0')
    expect(ds[0]?.cause.startsWith('a.org/x@v1.0.0: ')).toBe(true)
  })

  it('lets a permanent failure decide an attempt over transient ones', () => {
    const d = classify({
      exitCode: 1,
      stderr: '',
      json: [
        { Path: 'a.org/x', Version: 'v1.0.0', Error: 'Get "https://p/a": dial tcp 1.2.3.4:443: i/o timeout' },
        {
          Path: 'b.org/y',
          Version: 'v1.0.0',
          Error: 'b.org/y@v1.0.0: reading https://p/b.org/y/@v/v1.0.0.info: 404 Not Found'
        },
        { Path: 'c.org/z', Version: 'v1.0.0', Error: 'reading https://p/c: 502 Bad Gateway' }
      ]
    })
    expect(d?.errorClass).toBe('not-found')
    expect(d?.module).toBe('b.org/y@v1.0.0')
  })

  it('falls back to stderr when go printed no JSON, and reports success as no diagnosis', () => {
    expect(classify({ exitCode: 0, stderr: 'go: downloading x', json: [] })).toBeUndefined()
    const d = classify({ exitCode: 1, stderr: CASES[0]!.text, json: [] })
    expect(d?.errorClass).toBe('auth')
  })

  it('picks the worst of several diagnoses by permanence first', () => {
    const transient = classifyText('reading https://p/x: 502 Bad Gateway')
    const timeout = timeoutDiagnosis('stalled', 5000, 'x.org/m@v1.0.0')
    const auth = classifyText(
      'fatal: could not read Username for https://github.com: terminal prompts disabled'
    )
    expect(worst([timeout, transient])?.errorClass).toBe('proxy')
    expect(worst([timeout, auth, transient])?.errorClass).toBe('auth')
    expect(worst([])).toBeUndefined()
  })

  it('recognises rate limiting and a printed Retry-After', () => {
    expect(isRateLimited(classifyText('reading https://p/x.info: 429 Too Many Requests'))).toBe(true)
    expect(isRateLimited(classifyText('reading https://p/x.info: 502 Bad Gateway'))).toBe(false)
    expect(retryAfterMs('429 Too Many Requests\n\tserver response: Retry-After: 7')).toBe(7000)
    expect(retryAfterMs('429 Too Many Requests')).toBeUndefined()
  })

  it('turns a cached checksum mismatch into a retryable cache-corrupt diagnosis', () => {
    const d = asCacheCorrupt(classifyText(CASES.find((c) => c.errorClass === 'checksum')!.text))
    expect(d.errorClass).toBe('cache-corrupt')
    expect(d.retryable).toBe(true)
  })

  it('makes a stalled attempt retryable and a spent budget final', () => {
    expect(timeoutDiagnosis('stalled', 30_000).retryable).toBe(true)
    expect(timeoutDiagnosis('budget', 600_000).retryable).toBe(false)
    expect(timeoutDiagnosis('stalled', 30_000).hint).toContain("'attempt-timeout'")
  })

  it('finds the module in go prefixes', () => {
    expect(moduleOf('go: golang.org/x/net@v0.0.0-20200520004742-59133d7f0dd7: reading ...')).toBe(
      'golang.org/x/net@v0.0.0-20200520004742-59133d7f0dd7'
    )
    expect(moduleOf('verifying github.com/a/b/v2@v2.4.1/go.mod: checksum mismatch')).toBe(
      'github.com/a/b/v2@v2.4.1'
    )
    expect(moduleOf('go: no module dependencies to download')).toBeUndefined()
  })
})
