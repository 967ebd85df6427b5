/** The engines built by scripts/engines.mjs (pinned in scripts/engines.json); see tools/sim/engines.ts. */
export { DEBIAN, enginePath, engineRelease, engineSkip } from '../../tools/sim/engines.js';
