import { ApiReference } from "@scalar/nextjs-api-reference";
import { OPERATIONS } from "@/lib/api/openapi";

// The browsable API reference, rendered from /api/v1/openapi.json by Scalar's viewer, which comes from its CDN. Where
// that cannot be reached (a machine offline, a network that blocks the CDN) the page still lists every operation,
// with a link to the document itself: the list is there from the start and goes once the viewer has loaded.
const reference = ApiReference({ url: "/api/v1/openapi.json", pageTitle: "Tastebud API" });

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

function offlineList(): string {
  const rows = OPERATIONS.map(
    (o) =>
      `<tr><td><code>${o.method.toUpperCase()}</code></td><td><code>/api/v1${escape(o.path)}</code></td><td>${escape(o.summary)}${o.legacy ? " (old API)" : ""}</td><td>${
        o.auth === "none" ? "none" : o.scope ? `token, ${o.scope}` : o.auth === "optional" ? "optional" : "token"
      }</td></tr>`,
  ).join("");
  return `
    <main id="offline-reference" style="font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1c1917">
      <p><a href="/">&larr; Back to Tastebud</a></p>
      <h1 style="font-size: 1.5rem">Tastebud API</h1>
      <p>The interactive reference could not be loaded (it comes from cdn.jsdelivr.net). Every operation is listed below;
        the full OpenAPI 3.1 document, with parameters and schemas, is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        Send <code>Authorization: Bearer &lt;token&gt;</code> with a token from <a href="/settings/tokens">API tokens</a>.</p>
      <div style="overflow-x: auto">
        <table style="border-collapse: collapse; width: 100%; font-size: 14px">
          <thead><tr style="text-align: left; border-bottom: 1px solid #d6d3d1"><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr></thead>
          <tbody>${rows}</tbody>
        </table>
      </div>
    </main>
    <script>if (window.Scalar) document.getElementById("offline-reference").remove();</script>
    <style>#offline-reference td, #offline-reference th { padding: 4px 12px 4px 0; vertical-align: top; border-bottom: 1px solid #f5f5f4 }</style>`;
}

// The same page for every request: made on the first.
let page: Promise<string> | null = null;

export async function GET(): Promise<Response> {
  page ??= reference()
    .text()
    .then((html) =>
      html.replace("</head>", `  <link rel="icon" href="/icon.svg" type="image/svg+xml" />\n  </head>`).replace("</body>", `${offlineList()}\n  </body>`),
    );
  return new Response(await page, { headers: { "content-type": "text/html; charset=utf-8" } });
}
