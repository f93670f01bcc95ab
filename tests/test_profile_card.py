"""A card worth walking up to: headline, company, "ask me about", "how to find me" and a photo. The photo is
made small and stripped of its metadata on the server, shown only where the card is (the visibility rule),
exported in vCards and the personal data export, and erased with the account."""

import base64
import io

import vobject
from PIL import Image
from sqlmodel import select

from api.attendees.models import AttendeePhoto
from api.attendees.photos import SIDE
from tests import factories as f
from tests.test_vcard import read_with_ical_js
from tests.test_visibility import UNKNOWN_ID, ask, block

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_with_gps(size=(600, 300), orientation: int | None = None) -> bytes:
    """A JPEG as a phone takes it: GPS position and camera in its EXIF. Left half red, right half blue."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def put_photo(srv, token: str, data: bytes, content_type: str = "image/jpeg"):
    with srv.client(token) as client:
        return client.put("/api/me/photo", content=data, headers={"Content-Type": content_type})


def get(srv, token: str, path: str):
    with srv.client(token) as client:
        return client.get(path)


def photo_path(event_id: int, attendee_id: int) -> str:
    return f"/api/events/{event_id}/attendees/{attendee_id}/photo"


def same_as_unknown(answer, unknown) -> bool:
    return (answer.status_code, answer.json()) == (unknown.status_code, unknown.json()) == (404, unknown.json())


def test_the_card_shows_headline_company_ask_me_about_and_how_to_find_me(srv):
    h = f.hallway(srv)
    lea = h.person(
        srv,
        "Léa",
        ["Observability"],
        headline="Security engineer",
        company="Qonto",
        ask_me_about="Ask me about eBPF in production",
        find_me_hint="Red scarf, by the window",
    )
    hugo = h.person(srv, "Hugo", ["Observability"])
    card = get(srv, hugo.token, f"/api/events/{h.event['id']}/attendees/{lea.id}").json()
    assert (card["headline"], card["company"]) == ("Security engineer", "Qonto")
    assert card["ask_me_about"] == "Ask me about eBPF in production"
    assert card["find_me_hint"] == "Red scarf, by the window"
    [suggestion] = f.suggestions(srv, hugo.token)["suggestions"]
    assert suggestion["attendee"]["find_me_hint"] == "Red scarf, by the window"
    assert suggestion["attendee"]["photo_url"] is None


def test_the_new_lines_follow_the_text_rules(srv):
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Observability"])
    with srv.client(lea.token) as client:
        for field, limit in (("ask_me_about", 160), ("find_me_hint", 120), ("headline", 160), ("company", 120)):
            for bad in ("two\nlines", "bell\x07", "x" * (limit + 1)):
                answer = client.patch("/api/me", json={field: bad})
                assert answer.status_code == 422, (field, bad)
                assert answer.json()["error"] == "InvalidInput"
            assert client.patch("/api/me", json={field: "é" * limit}).json()[field] == "é" * limit
        # Emptied with "", never with null (the columns always hold a line).
        assert client.patch("/api/me", json={"find_me_hint": ""}).json()["find_me_hint"] == ""
        assert client.patch("/api/me", json={"find_me_hint": None}).status_code == 422


def test_a_photo_is_served_small_square_and_without_gps_or_camera(srv):
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Observability"])
    sent = photo_with_gps(orientation=6)  # stored sideways, "turn 90° clockwise to show"
    assert b"PhoneMaker" in sent and Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)
    answer = put_photo(srv, lea.token, sent)
    assert answer.status_code == 200, answer.text
    url = answer.json()["photo_url"]
    assert url.startswith(photo_path(h.event["id"], lea.id) + "?v=")
    served = get(srv, lea.token, url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"].startswith("private")
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG" and image.size == (SIDE, SIDE)
    assert dict(image.getexif()) == {} and not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
    # Turned upright before the orientation was dropped: the red left half is now on top.
    top, bottom = image.getpixel((SIDE // 2, 20)), image.getpixel((SIDE // 2, SIDE - 20))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0], (top, bottom)
    # A new photo is a new URL; removing it leaves none, and the old one answers as nothing.
    second = put_photo(srv, lea.token, png(Image.new("RGBA", (300, 400), (0, 0, 0, 0))), "image/png")
    assert second.status_code == 200 and second.json()["photo_url"] != url
    assert Image.open(io.BytesIO(get(srv, lea.token, second.json()["photo_url"]).content)).getpixel((5, 5)) == (
        255,
        255,
        255,
    )  # transparency becomes white
    with srv.client(lea.token) as client:
        assert client.delete("/api/me/photo").json()["photo_url"] is None
    assert get(srv, lea.token, url).status_code == 404


def test_what_is_not_a_photo_gets_a_clear_4xx_and_changes_nothing(srv):
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Observability"])
    kept = put_photo(srv, lea.token, photo_with_gps()).json()["photo_url"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    bomb = png(Image.new("1", (5000, 5000)))  # a few KB that decode to 25 megapixels
    assert len(bomb) < 64 * 1024
    cases = [
        (gif.getvalue(), "image/gif", 415, "UnsupportedPhotoType"),
        (b"hello", "text/plain", 415, "UnsupportedPhotoType"),
        (photo_with_gps(), None, 415, "UnsupportedPhotoType"),
        (b"not an image at all", "image/png", 422, "UnreadablePhoto"),
        (photo_with_gps()[:400], "image/jpeg", 422, "UnreadablePhoto"),  # cut short
        (png(Image.new("RGB", (20, 20))), "image/jpeg", 422, "UnreadablePhoto"),  # not what it says it is
        (b"", "image/webp", 422, "UnreadablePhoto"),
        (bomb, "image/png", 422, "PhotoTooLarge"),
        (b"\xff" * (srv.settings.max_body_bytes + 1), "image/jpeg", 413, "PayloadTooLarge"),
    ]
    for data, content_type, status, error in cases:
        with srv.client(lea.token) as client:
            headers = {"Content-Type": content_type} if content_type else {}
            answer = client.put("/api/me/photo", content=data, headers=headers)
        assert (answer.status_code, answer.json()["error"]) == (status, error), (content_type, answer.text)
        assert answer.json()["detail"]
    assert f.update_me(srv, lea.token)["photo_url"] == kept
    assert get(srv, lea.token, kept).status_code == 200


def test_a_photo_is_shown_only_where_the_card_is(srv):
    """BOLA: someone nearby sees it; someone apart, hidden, blocked, in another event, or with no photo answers
    exactly as an unknown id does."""
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    event_id = h.event["id"]
    near = h.person(srv, "Hugo", ["Rust"], zone="buffet")
    apart = h.person(srv, "Inès", ["Rust"], zone="lounge")
    hidden = h.person(srv, "Ghost", ["Rust"], visible=False)
    blocker = h.person(srv, "Théo", ["Rust"])
    blocked = h.person(srv, "Zoé", ["Rust"])
    no_photo = h.person(srv, "Nina", ["Rust"])
    for person in (near, apart, hidden, blocker, blocked):
        assert put_photo(srv, person.token, photo_with_gps()).status_code == 200
    assert block(srv, blocker.token, me.id).status_code == 201
    assert block(srv, me.token, blocked.id).status_code == 201
    other = f.hallway(srv)
    stranger = other.person(srv, "Stranger", ["Rust"])
    assert put_photo(srv, stranger.token, photo_with_gps()).status_code == 200

    unknown = get(srv, me.token, photo_path(event_id, UNKNOWN_ID))
    assert get(srv, me.token, photo_path(event_id, near.id)).status_code == 200
    for person in (apart, hidden, blocker, blocked, no_photo, stranger):
        assert same_as_unknown(get(srv, me.token, photo_path(event_id, person.id)), unknown), person.name
    # Another event's path is not mine to read, whoever is asked for.
    foreign = get(srv, me.token, photo_path(other.event["id"], stranger.id))
    assert foreign.status_code == 404
    assert foreign.json() == get(srv, me.token, photo_path(other.event["id"], UNKNOWN_ID)).json()
    # Without a token: nothing. The event's organizers see every card, photo included.
    assert get(srv, "", photo_path(event_id, near.id)).status_code == 401
    assert get(srv, h.organizer, photo_path(event_id, hidden.id)).status_code == 200
    # Once Inès walks over, her photo is there; when Hugo hides, it is gone.
    assert f.check_in(srv, apart.token, token=h.zones["coffee"]["checkin_url"]).status_code == 201
    assert get(srv, me.token, photo_path(event_id, apart.id)).status_code == 200
    f.update_me(srv, near.token, visible=False)
    assert same_as_unknown(get(srv, me.token, photo_path(event_id, near.id)), unknown)


def exchanged(srv, h):
    """Léa and Hugo, contacts by an accepted request; Hugo has a photo."""
    lea = h.person(srv, "Léa", ["Observability"])
    hugo = h.person(srv, "Hugo", ["Observability"], headline="SRE lead", ask_me_about="On-call", find_me_hint="Hat")
    served = put_photo(srv, hugo.token, photo_with_gps()).json()["photo_url"]
    assert ask(srv, lea.token, hugo.id).status_code == 201
    with srv.client(hugo.token) as client:
        [received] = client.get("/api/contact-requests").json()["received"]
        accepted = client.post(
            f"/api/contact-requests/{received['id']}/accept", headers={"Idempotency-Key": f.new_key()}
        )
        assert accepted.status_code == 200
    return lea, hugo, get(srv, hugo.token, served).content


def export(srv, token: str, version: str) -> str:
    answer = get(srv, token, f"/api/contacts/export.vcf?version={version}")
    assert answer.status_code == 200
    return answer.text


def test_a_contacts_photo_is_in_the_vcard_in_each_versions_form(srv):
    h = f.hallway(srv)
    lea, hugo, jpeg = exchanged(srv, h)
    [contact] = get(srv, lea.token, "/api/contacts").json()["items"]
    assert get(srv, lea.token, contact["photo_url"]).content == jpeg
    assert (contact["ask_me_about"], contact["find_me_hint"]) == ("On-call", "Hat")
    # 3.0 (RFC 2426): base64 with ENCODING=b, read by vobject.
    [card] = vobject.readComponents(export(srv, lea.token, "3.0"))
    assert card.photo.params == {"ENCODING": ["b"], "TYPE": ["JPEG"]}
    assert card.photo.value == jpeg
    # 4.0 (RFC 6350): a data: URI, read by ical.js.
    [v4] = read_with_ical_js(export(srv, lea.token, "4.0"))
    prefix, _, payload = v4["photo"][0].partition(",")
    assert prefix == "data:image/jpeg;base64" and base64.b64decode(payload) == jpeg
    single = get(srv, lea.token, f"/api/contacts/{contact['id']}/vcard?version=4.0").text
    assert read_with_ical_js(single)[0]["photo"] == v4["photo"]
    # No photo in the CSVs, which hold text; the row is still there.
    assert "Hugo" in get(srv, lea.token, "/api/contacts/export.csv").text


def test_a_block_or_an_erased_account_takes_the_photo_out_of_contacts_and_exports(srv, db):
    h = f.hallway(srv)
    lea, hugo, _ = exchanged(srv, h)
    assert block(srv, hugo.token, lea.id).status_code == 201
    [contact] = get(srv, lea.token, "/api/contacts").json()["items"]
    assert (contact["photo_url"], contact["ask_me_about"], contact["find_me_hint"]) == (None, "", "")
    assert "PHOTO" not in export(srv, lea.token, "3.0")
    with srv.client(hugo.token) as client:
        assert client.delete(f"/api/me/blocks/{lea.id}", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert "PHOTO" in export(srv, lea.token, "3.0")
    with srv.client(hugo.token) as client:
        assert client.delete("/api/me").status_code == 204
    assert db.exec(select(AttendeePhoto).where(AttendeePhoto.attendee_id == hugo.id)).first() is None
    [contact] = get(srv, lea.token, "/api/contacts").json()["items"]
    assert contact["photo_url"] is None and contact["name"] == "Hugo"
    assert "PHOTO" not in export(srv, lea.token, "4.0")


def test_my_data_export_holds_my_photo_and_card_lines(srv):
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Observability"], ask_me_about="Ask me about FinOps", find_me_hint="Green hoodie")
    served = get(srv, lea.token, put_photo(srv, lea.token, photo_with_gps()).json()["photo_url"]).content
    mine = get(srv, lea.token, "/api/me/export").json()
    assert mine["profile"]["ask_me_about"] == "Ask me about FinOps"
    assert mine["profile"]["find_me_hint"] == "Green hoodie"
    assert mine["photo"]["media_type"] == "image/jpeg"
    assert base64.b64decode(mine["photo"]["base64"]) == served
