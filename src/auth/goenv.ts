/** Moved to src/environment/validate.ts; this re-export keeps `./goenv.js` imports working. */
export {
  validateGoEnv,
  validateGoflags,
  validateGoproxy,
  validateGosumdb,
  validatePatternList,
  validatePatterns,
  type ValidatedGoEnv
} from '../environment/validate.js'
