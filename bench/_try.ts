import { benchRuleCost } from './rule-cost.js';
import { naive, oursSameSli, slothShaped, oursExample } from './rulesets.js';
const pods = Number(process.argv[2] ?? 1000);
const r = await benchRuleCost({ pods, sets: [oursSameSli(), slothShaped(), naive(), oursExample().set], log: console.log });
console.log(JSON.stringify(r.rows.map(x => [x.set, x.evalMs, x.seriesOut, x.missed, x.slowest])), JSON.stringify(r.data));
