"""Revision 0008 on a database with attendees: sharing choices made under pre-ticked boxes are forgotten (the
name alone goes until each chooses again), and going back shares nothing new."""

from sqlalchemy import create_engine, inspect, text

from tests.conftest import migrate


def test_sharing_choices_are_asked_again_and_0008_round_trips(empty_url):
    migrate(empty_url, "0006")
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO event (slug, name, subject, description, timezone, starts_at, ends_at, languages, "
                "join_code, presence_retention_days, created_at) VALUES ('e', 'E', 's', '', 'UTC', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '[]', 'JOINCODE', 7, CURRENT_TIMESTAMP)"
            )
        )
        for name in ("Léa", "Hugo"):
            conn.execute(
                text(
                    "INSERT INTO attendee (event_id, display_name, headline, company, role, goals, open_to_chat, "
                    "language, visible, findable_as_speaker, email, created_at) VALUES (1, :name, '', '', "
                    "'attendee', '[]', true, 'fr', false, false, :email, CURRENT_TIMESTAMP)"
                ),
                {"name": name, "email": f"{name.lower()}@example.org"},
            )
        # Léa saved her settings with the boxes as they came: email, website and company ticked.
        conn.execute(text("INSERT INTO contact_sharing VALUES (1, true, false, true, true)"))
    migrate(empty_url, "0008")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contact_sharing")).scalar_one() == 0
        # Emails given before stay: they are how these attendees sign in again.
        assert conn.execute(text("SELECT count(*) FROM attendee WHERE email IS NOT NULL")).scalar_one() == 2
    assert "confirms_email" in {c["name"] for c in inspect(engine).get_columns("magic_link")}

    migrate(empty_url, "0006", down=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT share_email, share_phone, share_website, share_company FROM contact_sharing")
        ).all()
    assert [tuple(r) for r in rows] == [(False, False, False, False)] * 2
    assert "confirms_email" not in {c["name"] for c in inspect(engine).get_columns("magic_link")}
    migrate(empty_url, "0008")
    engine.dispose()
