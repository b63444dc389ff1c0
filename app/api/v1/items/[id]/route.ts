import { apiRoute, IdParamSchema } from "@/lib/api/handler";
import { getItem } from "@/lib/catalog/items";

export const GET = apiRoute({ auth: "optional", scope: "read", params: IdParamSchema }, ({ params }) => getItem(params.id));
