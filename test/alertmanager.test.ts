/** The inhibit_rules snippet: real amtool accepts it, and it suppresses only slower tiers. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, dump } from 'js-yaml';
import { validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';

const gen = generate(validateConfig({ cluster: 'am', prometheus: { extraMatchers: { cluster: 'am' } } }, 'am.yaml'), 'am.yaml');
const snippet = load(gen.files.get('alertmanager/linkerd-slo-am.inhibit-rules.yaml')!) as {
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
};

describe('alertmanager inhibit rules', () => {
  it('amtool check-config accepts an alertmanager.yml with the snippet merged in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-am-'));
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, dump({ route: { receiver: 'null' }, receivers: [{ name: 'null' }], inhibit_rules: snippet.inhibit_rules }));
    const r = spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${snippet.inhibit_rules.length} inhibit rules`);
  });

  it('the 1h page silences the slower tiers of the same SLI, never the other way round', () => {
    const fast = snippet.inhibit_rules.find((r) => r.source_matchers.includes('alertname="LinkerdControlPlaneErrorBudgetBurn"') && r.source_matchers.includes('long="1h"'));
    expect(fast?.target_matchers).toEqual(['alertname="LinkerdControlPlaneErrorBudgetBurn"', 'long=~"6h|1d|3d"']);
    expect(fast?.equal).toEqual(['slo', 'sli', 'component', 'cluster']);
    const slowest = snippet.inhibit_rules.filter((r) => r.source_matchers.includes('long="3d"'));
    expect(slowest).toEqual([]);
  });
});
