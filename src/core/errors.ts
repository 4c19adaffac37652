/**
 * An error the user can fix: bad flags, unreadable or malformed input, a
 * missing resource group. The CLI prints its message (never a stack) and
 * exits with code 2.
 */
export class InputError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "InputError";
    this.hint = hint;
  }
}
