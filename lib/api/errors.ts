// Typed errors thrown anywhere in lib/ and mapped once, at the edge, to RFC 9457 problem+json.
export type ProblemCode =
  | "bad_request"
  | "invalid_json"
  | "validation_failed"
  | "invalid_cursor"
  | "unauthorized"
  | "invalid_credentials"
  | "invalid_token"
  | "forbidden"
  | "insufficient_scope"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "email_taken"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "rate_limited"
  | "internal_error"
  | "unavailable";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export type FieldError = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get title(): string {
    return TITLES[this.status] ?? "Error";
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found`);
export const badRequest = (message: string, errors?: FieldError[]) => new ApiError(400, "bad_request", message, { errors });

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  errors?: FieldError[];
};

export function toProblem(err: ApiError, instance?: string): Problem {
  return {
    type: `https://tastebud.dev/problems/${err.code.replace(/_/g, "-")}`,
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(instance ? { instance } : {}),
    ...(err.extra.errors?.length ? { errors: err.extra.errors } : {}),
  };
}
