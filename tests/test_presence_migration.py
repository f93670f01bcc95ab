"""Revision 0002 on a database that already has attendees: they start hidden, and it rolls back cleanly."""

from sqlalchemy import create_engine, inspect, text

from tests.conftest import migrate

PRESENCE_TABLES = {"presence", "presence_topic", "check_in_record", "idempotency_record", "block", "report"}


def test_existing_attendees_start_hidden_and_0002_round_trips(empty_url):
    migrate(empty_url, "0001")
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO event (slug, name, subject, description, timezone, starts_at, ends_at, languages, "
                "join_code, presence_retention_days, created_at) VALUES ('e', 'E', 's', '', 'UTC', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '[]', 'JOINCODE', 7, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO attendee (event_id, display_name, headline, company, role, goals, open_to_chat, "
                "language, created_at) VALUES (1, 'Léa', '', '', 'attendee', '[]', true, 'fr', CURRENT_TIMESTAMP)"
            )
        )
    migrate(empty_url, "0002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT visible, findable_as_speaker FROM attendee")).one() == (False, False)
    assert PRESENCE_TABLES <= set(inspect(engine).get_table_names())

    migrate(empty_url, "0001", down=True)
    inspector = inspect(engine)
    assert not PRESENCE_TABLES & set(inspector.get_table_names())
    assert {"visible", "findable_as_speaker"}.isdisjoint(c["name"] for c in inspector.get_columns("attendee"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT display_name FROM attendee")).scalar_one() == "Léa"
    migrate(empty_url, "0002")
    engine.dispose()
