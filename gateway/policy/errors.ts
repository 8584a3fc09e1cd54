// The closed family of errors the policy compilers raise at config load; each has a stable `code` and the field at fault.

export type PolicyErrorCode = 'unknown-tool-group';

/** A permission or tool-group setting that cannot be compiled; `field` is the dotted path in app.yaml. */
export class PolicyConfigError extends Error {
  readonly code: PolicyErrorCode;
  readonly field: string;

  constructor(code: PolicyErrorCode, field: string, message: string) {
    super(message);
    this.name = 'PolicyConfigError';
    this.code = code;
    this.field = field;
  }
}
