"""Storage: SQLAlchemy tables, repositories that speak domain objects, Alembic migrations."""
