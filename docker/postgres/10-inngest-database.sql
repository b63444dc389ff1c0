-- Runs once, when the Postgres volume is first initialised: self-hosted Inngest keeps its apps, runs and history in a
-- database of its own (some of its table names, `events` for one, are also Tastebud's).
CREATE DATABASE inngest;
