import { apiRoute } from "@/lib/api/handler";
import { hiddenItems } from "@/lib/feedback/service";

export const GET = apiRoute({ scope: "read" }, async ({ principal }) => ({ items: await hiddenItems(principal.user.id), next_cursor: null }));
