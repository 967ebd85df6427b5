/**
 * Failures a user can cause end in one line on stderr and one of these exit codes (documented in
 * docs/exit-codes.md). Anything else is a bug in linkerd-slo and exits 70 (EX_SOFTWARE).
 */
export const EXIT = {
  ok: 0,
  /** generate --check: the output differs; check: an alert would be blind. */
  drift: 1,
  /** Bad configuration, flags or input files; nothing was written. */
  config: 2,
  /** Prometheus unreachable or answered something that is not the Prometheus HTTP API. */
  prometheus: 3,
  /** The output directory cannot be written (not a directory, read-only, disk full) or is refused as unsafe. */
  output: 4,
  /** Another linkerd-slo run holds the output directory's lock. */
  busy: 5,
  /** A bug in linkerd-slo. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix; its message is one line and is printed as `error: <message>`. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.config,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
