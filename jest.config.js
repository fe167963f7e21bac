// Jest runs TypeScript through ts-jest in ESM mode (the @actions/* toolkit is ESM-only since v3).
// Type-checking is done once by `npm run lint` (tsc --noEmit); here ts-jest only transpiles, which keeps
// the suite fast.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }
    ]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', ['<rootDir>/scripts/jest-tally.cjs', {}]]
}
