"""The engine's database: typed models, session factory and migrations."""
