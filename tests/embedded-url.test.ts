import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { withDatabase } from "../lib/db/embedded";

// The embedded PostgreSQL is reached through its Unix-domain socket (`?host=<dir>` in its URL), and URLs for another
// database on the same server keep that.
describe("the embedded database's URL", () => {
  it("names another database on the same server, keeping the credentials, port and socket directory", () => {
    expect(withDatabase("postgresql://u:p@127.0.0.1:5433/tastebud_template?host=%2Ftmp", "t_1")).toBe("postgresql://u:p@127.0.0.1:5433/t_1?host=%2Ftmp");
    expect(withDatabase("postgresql://u:p@db.example.com:5432/app", "postgres")).toBe("postgresql://u:p@db.example.com:5432/postgres");
  });

  it("connects through the socket, not TCP", async () => {
    const client = new pg.Client({ connectionString: inject("pgServerUrl") });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT inet_client_addr() AS addr, current_database() AS db");
      expect(rows[0]).toEqual({ addr: null, db: "postgres" });
    } finally {
      await client.end();
    }
  });
});
