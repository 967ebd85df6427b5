import { benchAlertQuality, SCENARIOS } from './alert-quality.js';
import { naive, slothShaped } from './rulesets.js';
const r = await benchAlertQuality({ naive: naive().groups, sloth: slothShaped().groups, scenarios: SCENARIOS.filter(s => s.id === 'low-traffic'), log: console.log });
for (const row of r.rows) console.log(JSON.stringify(row));
