/**
 * Pure: which of go.sum's modules a module actually needs downloaded. go.sum also holds the zip hashes of
 * modules that only tests of dependencies use (`go test all`, what `go mod tidy` keeps them for); plain
 * `go mod download` fetches, for a main module at `go 1.17` or higher (pruned module graphs), exactly the
 * modules its go.mod requires ("the modules explicitly required by the main module", `go help mod
 * download`). Measured on the real-world fixture (bench/real): 244 zip lines in go.sum, 201 required, the
 * 43 others 54 MiB that no build of the module reads. Where the go.mod cannot say (go < 1.17, replace
 * directives, a required version without a zip line), every go.sum module stays in the list.
 */
import { parseGoModFile } from '../go/gomod.js'
import { goVersionAtLeast } from '../go/version.js'
import { modKey, type ModuleVersion } from './modules.js'

export function neededModules(sumModules: readonly ModuleVersion[], goModText: string): ModuleVersion[] {
  const mod = parseGoModFile(goModText)
  if (!mod.go || !goVersionAtLeast(mod.go.version, '1.17')) return [...sumModules]
  if (mod.replaces.length > 0 || mod.errors.length > 0) return [...sumModules]
  const required = new Set(mod.requires.map((r) => modKey(r)))
  const needed = sumModules.filter((m) => required.has(modKey(m)))
  // go.sum lacks a zip line for a requirement: go would fetch (and fail on) it anyway; keep the whole list
  // so the download reports it the way it always has.
  return needed.length === required.size ? needed : [...sumModules]
}
