import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

export const GET = apiRoute({ auth: "none" }, async () => openApiDocument());

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
