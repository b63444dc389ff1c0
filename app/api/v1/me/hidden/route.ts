import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { PageQuerySchema } from "@/lib/api/pagination";
import { hiddenItems } from "@/lib/feedback/service";

export const GET = apiRoute({ scope: "read", query: PageQuerySchema }, async ({ principal, query }) => hiddenItems(principal.user.id, query));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
