/**
 * pint (cloudflare/pint) control comments in rule files: a rule's lint exemptions above the rule, and
 * file-wide ones at the top, each under a comment line giving the reason (docs/linting.md).
 *
 * js-yaml, which writes every rule file, cannot write comments. The `yaml` library can, through its
 * Document API: the file js-yaml wrote is read back as a Document (every scalar keeps the style
 * js-yaml chose, so the bytes outside the comments do not change), the comments are set on the
 * nodes, and the Document is written again. Files with nothing to exempt are left as js-yaml wrote them.
 */
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { walk } from '../promql/ast.js';
import { isAlert, type LintExemption, type RuleGroup } from '../rules.js';
import { commentText } from '../text.js';

/** The comment block of exemptions: per check, the reason then the pint control comment. */
function commentBlock(exemptions: readonly LintExemption[], control: 'disable' | 'file/disable'): string {
  // The reason line starts with the check's name, never with "pint": pint ignores it.
  return exemptions.map((e) => ` ${e.check}: ${commentText(e.reason)}\n pint ${e.set ? `rule/set ${e.check} ${e.set}` : `${control} ${e.check}`}`).join('\n');
}

/**
 * pint's rule/dependency pairs a recording rule with the producer of each series it reads by name
 * only. Every group of linkerd-slo records the same names (linkerd_slo:sli_errors:rate5m, …) for its
 * own SLO, told apart by the slo, sli and component labels, so pint takes each recording that reads a
 * recorded series (a name with a colon: Prometheus reserves colons for recording rules) for a reader of
 * every group. test/engines/pint.test.ts checks the real pairs, labels included.
 */
export function fileExemptions(groups: readonly RuleGroup[], readsShipped: boolean): LintExemption[] {
  const readsRecorded = groups.some((g) =>
    g.rules.some((r) => {
      if (isAlert(r)) return false;
      let found = false;
      walk(r.expr, (n) => {
        if (n.kind === 'selector' && n.metric?.includes(':')) found = true;
      });
      return found;
    }),
  );
  if (!readsRecorded) return [];
  const shared = 'pint pairs recordings by name only; every group records the same names for its own SLO, told apart by the slo, sli and component labels';
  const reason = readsShipped ? `${shared}, and these global groups read the clusters' own recordings on purpose (split evaluation)` : shared;
  return [{ check: 'rule/dependency', reason }];
}

/**
 * `text` (a rule file body js-yaml wrote, groups at `path`) with the exemptions of `groups`' rules
 * above each rule and `file` above everything.
 */
export function withLintComments(text: string, path: readonly string[], groups: readonly RuleGroup[], file: readonly LintExemption[]): string {
  const any = file.length > 0 || groups.some((g) => g.rules.some((r) => r.lint?.length));
  if (!any) return text;
  const doc = parseDocument(text);
  if (file.length) doc.commentBefore = commentBlock(file, 'file/disable');
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) throw new Error(`no rule groups at ${path.join('.')}`);
  groups.forEach((g, i) => {
    const rules = isMap(seq.items[i]) ? seq.items[i].get('rules', true) : undefined;
    if (!isSeq(rules)) throw new Error(`group ${g.name} has no rules list`);
    g.rules.forEach((r, j) => {
      if (r.lint?.length) (rules.items[j] as Node).commentBefore = commentBlock(r.lint, 'disable');
    });
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}
