from sqlmodel import Session, select

from api.organizers.models import Organizer


def add_organizer(session: Session, email: str) -> Organizer:
    """Idempotent: adding an existing organizer returns them."""
    email = email.strip().lower()
    organizer = session.exec(select(Organizer).where(Organizer.email == email)).first()
    if organizer is None:
        organizer = Organizer(email=email)
        session.add(organizer)
        session.flush()
    return organizer
