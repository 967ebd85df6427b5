/** The error a call must throw, of the given class; anything else (or nothing) fails the test. */
export function thrown<E extends Error>(errorClass: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw err;
  }
  throw new Error(`expected a ${errorClass.name}`);
}
