// Runs the TypeScript benchmarks (and the src/ modules they import) without a build step:
// node --import ./bench/ts-loader.mjs bench/main.ts. Type-checking is `npm run typecheck`'s job
// (tsconfig.test.json includes bench/); here each file is only transpiled with the project's own
// TypeScript compiler.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
