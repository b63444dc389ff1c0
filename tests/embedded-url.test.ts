import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { sharedBuffersMb, withDatabase } from "../lib/db/embedded";

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

describe("the embedded database's shared buffers", () => {
  const GB = 2 ** 30;
  it("take an eighth of the memory, from 128 MB up to 4 GB", () => {
    expect(sharedBuffersMb(undefined, 24 * GB)).toBe(3072);
    expect(sharedBuffersMb("", 512 * 2 ** 20)).toBe(128);
    expect(sharedBuffersMb(undefined, 64 * GB)).toBe(4096);
  });

  it("take EMBEDDED_PG_SHARED_BUFFERS_MB when it is set, and refuse a value that is not a whole number of MB", () => {
    expect(sharedBuffersMb("256", 24 * GB)).toBe(256);
    for (const bad of ["abc", "0", "-5", "1.5", "1GB"]) expect(() => sharedBuffersMb(bad, GB)).toThrow(/EMBEDDED_PG_SHARED_BUFFERS_MB must be a whole number of megabytes/);
  });
});
