import { defineConfig } from "prisma/config";

// The CLI reads the connection from here (Prisma 7); the app connects through @prisma/adapter-pg.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/tastebud" },
});
