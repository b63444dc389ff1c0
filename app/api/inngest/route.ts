import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";

// Inngest calls this endpoint to run steps. Outside its dev server every request must carry a valid signature made
// with the client's signing key (lib/jobs/inngest.ts; a production server without INNGEST_SIGNING_KEY does not start).
export const { GET, POST, PUT } = serve({ client: inngest, functions });
