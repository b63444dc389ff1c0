import pino from "pino";

// Structured JSON logs; secrets never go through here (tokens and passwords are redacted by path).
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "tastebud" },
  redact: ["password", "token", "*.password", "*.token", "headers.authorization"],
});
