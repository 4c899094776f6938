"""Alembic environment: the URL comes from the calling code (ecosystem.corrections.db.migrate) or alembic.ini."""

from alembic import context
from sqlalchemy import create_engine, pool

from ecosystem.corrections import throttle  # noqa: F401  (its LoginAttempt table belongs to the same metadata)
from ecosystem.corrections import staff_sessions  # noqa: F401  (its StaffSession table, likewise)
from ecosystem.corrections.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
