/** Reading a proxy's version from proxy_build_info, whichever label set the proxy has (catalog.ts PROXY_VERSION_LABEL_SINCE). */
import { call, str, type Expr } from '../promql/ast.js';

/**
 * proxy_build_info with a `version` on every proxy: proxies before v2.205 have none and get their
 * `git_version` instead (a release tag without its `release/` prefix, e.g. "v2.118.0", or the bare
 * commit, e.g. "279b301"). Proxies with a `version` have no `git_version`, so the regex (which needs at
 * least one character) does not match and label_replace leaves them unchanged.
 */
export function withProxyVersion(buildInfo: Expr): Expr {
  return call('label_replace', buildInfo, str('version'), str('$1'), str('git_version'), str('(?:release/)?(.+)'));
}
