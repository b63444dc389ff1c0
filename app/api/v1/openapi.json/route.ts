import { apiRoute } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

export const GET = apiRoute({ auth: "none" }, async () => openApiDocument());
