import { apiRoute, IdParamSchema, methodsNotAllowed } from "@/lib/api/handler";
import { getItem } from "@/lib/catalog/items";

export const GET = apiRoute({ auth: "optional", scope: "read", params: IdParamSchema }, ({ params }) => getItem(params.id));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
