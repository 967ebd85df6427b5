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
}
