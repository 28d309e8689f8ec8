/** The error codes the app raises; the error handler maps each to a status and a page. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** What a refusal says besides its code: the field it is about and, for staff and machines, why. */
export interface RefusalInfo {
  /** The input field as the service names it (`email`, `parentId`); each door names it its own way. */
  field?: string;
  /** Why, in English, for the staff tool's line and the API's problem document. */
  detail?: string;
  /** The field this one is needed with (`--client-secret` with `--client-id`). */
  partner?: string;
  /** Where in a batch (`line 17`), for imports. */
  where?: string;
}

/**
 * The one refusal of the app: an expected failure with a code. Every door renders it its own
 * way: a page (the locale key `messageKey`, or the form with the message at `field`), a problem
 * document (status from the code, `detail`, a JSON pointer to `field`), or the staff tool's one
 * line `error: <option>: <detail>` with exit code 1.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly messageKey?: string,
    readonly info: RefusalInfo = {},
  ) {
    super(info.detail ?? messageKey ?? code);
    this.status = ERROR_STATUS[code];
  }
  get field(): string | undefined {
    return this.info.field;
  }
  get detail(): string | undefined {
    return this.info.detail;
  }
}

/** A refused value, naming the field (422 unless another code is given: NOT_FOUND, CONFLICT). */
export function refuse(
  field: string,
  detail: string,
  opts: { code?: ErrorCode; messageKey?: string; partner?: string; where?: string } = {},
): AppError {
  return new AppError(opts.code ?? 'UNPROCESSABLE', opts.messageKey, {
    field,
    detail,
    partner: opts.partner,
    where: opts.where,
  });
}
