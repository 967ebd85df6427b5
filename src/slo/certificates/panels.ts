/**
 * The certificates dashboard's standing rows, shown whether or not the kind is enabled (when it is
 * off, a note that says so): one table per certificate class listing every certificate with its time
 * left (coloured at that class's alert thresholds), the proxies' refresh errors, and which configured
 * sources report nothing. Each source draws its own panels (its standing()); this lays them out.
 */
import { normalDuration } from '../../promql/number.js';
import type { DashboardRow } from '../../dashboard-model.js';
import type { BuildContext } from '../kind.js';
import type { CertificateSource } from './source.js';

/** A fresh row each time: the emitters may decorate what they receive. */
const disabledRow = (): DashboardRow => ({
  title: 'Certificate expiry',
  panels: [
    {
      title: 'Certificate checks are disabled',
      description: 'slos.certificates.enabled is false in the linkerd-slo config.',
      type: 'text',
      unit: 'none',
      queries: [],
      content: 'Certificate-expiry checks are disabled (`slos.certificates.enabled: false`). Expired certificates are the most common cause of Linkerd downtime: enable them and regenerate.',
      width: 24,
      height: 4,
    },
  ],
});

export function certificateRows(ctx: BuildContext, sources: readonly CertificateSource[]): DashboardRow[] {
  const certificates = ctx.config.slos.certificates;
  if (!certificates.enabled) return [disabledRow()];
  const shares = sources.map((source) => source.standing(ctx));
  const tables = shares.flatMap((share) => share.tables ?? []);
  const renewal = shares.flatMap((share) => share.renewal ?? []);
  const reporting = shares.flatMap((share) => share.reporting ?? []);
  const rows: DashboardRow[] = [];
  if (tables.length) rows.push({ title: 'Every certificate, by class', panels: tables });
  if (renewal.length) rows.push({ title: 'Proxy certificate renewal', panels: renewal });
  if (reporting.length) {
    rows.push({
      title: 'Sources',
      panels: [
        {
          title: 'Series reported per source',
          description:
            `How many series each configured certificate source reports now. Red at 0: that source reports nothing, so its certificates can expire unnoticed (LinkerdCertificateSourceAbsent opens a ticket after ${normalDuration(certificates.absentFor)}). ` +
            'Check that the exporter runs, is scraped, and watches the configured objects.',
          type: 'bargauge',
          unit: 'none',
          queries: reporting,
          thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
          min: 0,
          width: 24,
          height: Math.max(4, 2 + 2 * reporting.length),
        },
      ],
    });
  }
  return rows;
}
