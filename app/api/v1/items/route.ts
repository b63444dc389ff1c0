import { apiRoute } from "@/lib/api/handler";
import { searchItems } from "@/lib/catalog/items";
import { ItemSearchSchema } from "@/lib/catalog/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", query: ItemSearchSchema }, ({ query }) => searchItems(query));
