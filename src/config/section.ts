/**
 * A kind's section of the configuration, `slos.<key>`: the schema (src/config/schema.ts) assembles
 * the sections of the registered kinds, in registry order. It lives apart from src/slo/kind.ts,
 * which names the assembled `Config` type, so a kind's config.ts (and so the schema) never depends
 * on that type (docs/architecture.md, "The one type-only circle").
 */
import type { z } from 'zod';

export interface ConfigSection<Key extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly key: Key;
  /** With its defaults (`.prefault({})`) and its reference description (`.describe()`). */
  readonly schema: Schema;
  /**
   * Two inputs of this section that the test suites assemble from the registry
   * (test/support/kinds.ts), so a new kind is in every suite without a test being edited:
   * `allOptions` turns on every optional source and opt-in alert of the kind (the all-options
   * config of test/docs.test.ts and test/matrix.test.ts); `off` turns the kind off, declared by
   * every kind that is on by default (DEFAULT_KINDS_OFF of test/support/bundle.ts).
   * test/new-kind.test.ts checks both against the kind's own schema and `enabled()`.
   */
  readonly examples: SectionExamples<z.input<Schema>>;
}

/** See ConfigSection.examples. */
interface SectionExamples<Input = unknown> {
  readonly allOptions: Input;
  readonly off?: Input;
}
