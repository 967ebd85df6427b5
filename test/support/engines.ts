/** The engines built by scripts/engines.mjs (pinned in scripts/engines.json); see tools/sim/engines.ts. */
export { DEBIAN, enginePath, engineOf, engineRelease, engineSkip, primary, type EngineBinary } from '../../tools/sim/engines.js';
