import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { upsertItems } from "@/lib/catalog/upsert";
import { ItemsBatchSchema } from "@/lib/recs/schemas";
import { searchItems } from "@/lib/catalog/items";
import { ItemSearchSchema } from "@/lib/catalog/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", query: ItemSearchSchema }, ({ query }) => searchItems(query));

// Batch upsert keyed by (source, external_id); admin only, since the catalog is shared.
export const POST = apiRoute({ scope: "admin", body: ItemsBatchSchema, maxBodyBytes: 5_000_000 }, async ({ body }) => json(await upsertItems(body), { status: 200 }));

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
