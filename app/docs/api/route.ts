import { ApiReference } from "@scalar/nextjs-api-reference";

// The browsable API reference, rendered from /api/v1/openapi.json.
export const GET = ApiReference({ url: "/api/v1/openapi.json", pageTitle: "Tastebud API" });
