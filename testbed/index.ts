/**
 * The offline test bench's public API (see testbed/README.md): loopback servers with fault injection, the
 * Go module generator and module proxy, an isolated go environment, leak-free child processes and the
 * GitHub runner emulation. Import from here in tests and scripts: `import { ... } from '../testbed/index.ts'`.
 */
export * from './faults.ts'
export * from './server.ts'
export * from './module-gen.ts'
export * from './proxy.ts'
export * from './proc.ts'
export * from './isolated-go.ts'
export * from './runner.ts'
export * from './go-mirror.ts'
export * from './git-server.ts'
export * from './mitm.ts'
export * from './cache-service.ts'
export * from './toolchains.ts'
