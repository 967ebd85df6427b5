import { benchAlertQuality } from './alert-quality.js';
import { naive, slothShaped } from './rulesets.js';
const r = await benchAlertQuality({ naive: naive().groups, sloth: slothShaped().groups, log: console.log });
for (const row of r.rows) console.log(JSON.stringify(row));
console.log(r.timing);
