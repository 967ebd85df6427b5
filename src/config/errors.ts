/** Config problems carry the file, the path inside the document and, for YAML, line:column. */

export type ConfigPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly message: string;
  /** Point at the key itself (unknown keys) instead of its value. */
  readonly atKey?: boolean;
}

export interface LocatedIssue extends ConfigIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_$][\w$-]*$/.test(seg) ? (i ? `.${seg}` : seg) : `[${JSON.stringify(seg)}]`))
    .join('');
}

function formatIssue(issue: LocatedIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return `${where}: ${formatPath(issue.path)}: ${issue.message}`;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly LocatedIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Levenshtein distance, for did-you-mean hints. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
