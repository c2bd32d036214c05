"""Files in and out: spec files, model scripts, savers, the schema, caches, folder builds and watching."""
