"""Reporting someone from their card on the Here screen: made offline, it reaches the organizers once."""

from playwright.sync_api import expect

from tests.e2e.browser import eventually, seed_session, wait_for_service_worker
from tests.e2e.test_hallway import bob, person_card, zone  # noqa: F401 (fixtures)
from tests.e2e.test_my_details import exchange
from tests.e2e.test_quality import assert_accessible
from tests.factories import check_in, join, update_me


def reports_at(app_server, event: dict) -> list[dict]:
    with app_server.client(event["organizer_token"]) as client:
        response = client.get(f"/api/events/{event['id']}/reports")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_report_made_offline_reaches_the_organizers_once(page, phone, app_server, event, zone, bob):  # noqa: F811
    hana = join(app_server, event["join_code"], name="Hana Report")
    token = hana["tokens"]["access_token"]
    update_me(app_server, token, interests=["Kubernetes"], visible=True)
    assert check_in(app_server, token, token=zone["checkin_url"]).status_code == 201
    seed_session(phone, hana["tokens"])
    page.goto("/here")
    wait_for_service_worker(page)
    card = person_card(page, "Bob Martin")
    expect(card).to_be_visible()

    card.get_by_role("button", name="Report Bob Martin").click()
    form = card.get_by_role("form", name="Report Bob Martin")
    expect(form.get_by_role("button", name="Send the report")).to_be_disabled()  # a reason first
    assert_accessible(page, "here, report form")

    phone.set_offline(True)
    form.get_by_label("Spam or selling").check()
    form.get_by_label("Details (optional)").fill("Kept pitching his product at the coffee bar.")
    form.get_by_role("button", name="Send the report").click()
    expect(card.get_by_role("status")).to_contain_text("Your report goes to the organizers")
    expect(page.get_by_text("Waiting to send: 1")).to_be_visible()
    assert reports_at(app_server, event) == []

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    [report] = eventually(lambda: reports_at(app_server, event))
    assert report["reported"]["display_name"] == "Bob Martin"
    assert report["reporter"]["display_name"] == "Hana Report"
    assert (report["reason"], report["details"]) == ("spam", "Kept pitching his product at the coffee bar.")
    page.reload()  # the app starting again replays nothing more
    expect(person_card(page, "Bob Martin")).to_be_visible()
    assert len(reports_at(app_server, event)) == 1


def test_a_contact_can_be_reported_from_the_contacts_list(page, app_server, event):
    ines = join(app_server, event["join_code"], name="Ines Contact")
    joe = join(app_server, event["join_code"], name="Joe Pushy")
    exchange(app_server, ines, joe)
    seed_session(page.context, ines["tokens"])
    page.goto("/contacts")
    contact = person_card(page, "Joe Pushy")
    contact.get_by_role("button", name="Report Joe Pushy").click()
    form = contact.get_by_role("form", name="Report Joe Pushy")
    form.get_by_label("Harassment").check()
    form.get_by_role("button", name="Send the report").click()
    expect(contact.get_by_role("status")).to_contain_text("Your report goes to the organizers")
    assert_accessible(page, "contacts, report sent")
    [report] = eventually(lambda: reports_at(app_server, event))
    assert (report["reported"]["display_name"], report["reason"], report["details"]) == ("Joe Pushy", "harassment", "")
