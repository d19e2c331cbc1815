"""The effort of recording and deciding a contact (issue 17), keyboard only from the home
page: the practitioner records a contact about two siblings (one known, with a known mother;
one new) and proposes both decisions in at most 4 page loads; a manager signs both off in at
most 3. A page load is a main-frame navigation (Playwright's `framenavigated`; a POST and its
redirect count once); a post is a main-frame form post; a key is a key pressed (moving to a
field is the Tab or arrow presses it takes). The figures are printed as two `effort:` lines
(`pytest -s`). A second test goes the same way at 375 px and checks nothing overflows."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from demo.front_door import load_levels
from demo.people import DEMO_PASSWORD
from referrals.models import Child, Person, Relationship
from referrals.models.contacts import Contact, ContactChildState
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUSED = "el => el === document.activeElement"
BEFORE_FOCUS = """el => {
  const active = document.activeElement;
  if (!active || active === document.body) return false;
  return Boolean(active.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING);
}"""


class Effort:
    """Drives one person's page with the keyboard only, counting what it costs."""

    def __init__(self, page: Page, *, width: int | None = None) -> None:
        self.page, self.width = page, width
        self.loads = self.posts = self.keys = 0
        page.on("framenavigated", self._navigated)
        page.on("request", self._requested)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def _requested(self, request) -> None:
        navigation = request.is_navigation_request() and request.frame == self.page.main_frame
        if navigation and request.method == "POST":
            self.posts += 1

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1

    def focus(self, locator: Locator) -> None:
        """Tab (or Shift+Tab) until the element has the focus."""
        handle = locator.element_handle()
        for _ in range(400):
            if handle.evaluate(FOCUSED):
                return
            self.press("Shift+Tab" if handle.evaluate(BEFORE_FOCUS) else "Tab")
        raise AssertionError("could not reach the element with the keyboard")

    def type(self, locator: Locator, text: str) -> None:
        self.focus(locator)
        self.page.keyboard.type(text)
        self.keys += len(text)

    def activate(self, locator: Locator) -> None:
        self.focus(locator)
        self.press("Enter")

    def tick(self, locator: Locator) -> None:
        self.focus(locator)
        self.press("Space")

    def choose(self, radio: Locator) -> None:
        """Tab into the radio group, then the arrows (or Space for the first)."""
        handle = radio.element_handle()
        name = handle.get_attribute("name")
        for _ in range(400):
            if self.page.evaluate(
                "name => document.activeElement && document.activeElement.name === name", name
            ):
                break
            self.press("Shift+Tab" if handle.evaluate(BEFORE_FOCUS) else "Tab")
        for _ in range(20):
            if handle.evaluate("el => el.checked"):
                return
            if handle.evaluate(FOCUSED):
                self.press("Space")
            else:
                self.press("ArrowDown")
        raise AssertionError("could not choose the radio with the keyboard")

    def select(self, select: Locator, label: str) -> None:
        self.focus(select)
        for _ in range(30):
            if select.evaluate("el => el.options[el.selectedIndex].text") == label:
                return
            self.press("ArrowDown")
        raise AssertionError(f"no option {label}")

    def check_page(self) -> None:
        """axe finds nothing, and at a narrow width nothing overflows."""
        assert_accessible(self.page)
        if self.width:
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            widest = self.page.evaluate(
                "() => [...document.querySelectorAll('main *')].filter("
                "e => e.getBoundingClientRect().right > window.innerWidth).slice(-3)"
                ".map(e => e.tagName + '.' + e.className)"
            )
            assert wide <= self.width, f"{self.page.url} is {wide} px wide: {widest}"

    def line(self, who: str) -> str:
        return f"effort: {who}: {self.loads} page loads, {self.posts} posts, {self.keys} keys"


def family() -> Child:
    load_levels()
    sib0 = Child.objects.create(
        first_name="Sib0", last_name="Jones", date_of_birth=date(2015, 1, 1)
    )
    mother = Person.objects.create(first_name="Jan", last_name="Jones")
    Relationship.objects.create(child=sib0, person=mother, kind="mother")
    return sib0


def signed_in_at_home(browser: Browser, base: str, username: str, width: int | None) -> Page:
    context = (
        browser.new_context(viewport={"width": width, "height": 800})
        if width
        else (browser.new_context())
    )
    page = context.new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def practitioner_records_and_proposes(page: Page, width: int | None = None) -> Effort:
    effort = Effort(page, width=width)
    main = page.locator("main")
    effort.activate(main.get_by_role("link", name="Front door queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Front door queue")
    effort.activate(page.get_by_role("button", name="Record a contact"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    effort.check_page()
    effort.select(page.get_by_label("Source"), "Schools")
    effort.type(page.get_by_label("Referrer's name"), "Mrs Head")
    effort.type(page.get_by_label("The concern"), "Both arrived hungry")
    effort.choose(page.get_by_label("Given", exact=True))
    effort.type(page.locator("#id_child_0_first_name"), "Sib0")
    effort.type(page.locator("#id_child_0_last_name"), "Jones")
    effort.type(page.locator("#id_child_0_date_of_birth"), "1/1/2015")
    effort.activate(page.get_by_role("button", name="Look for this child (child 1)"))
    found = page.locator("#child_0-matches")
    known = found.get_by_label(re.compile(r"^Sib0 Jones, FD"))
    expect(known).to_be_visible()
    expect(found).to_contain_text("Parents or carers: Jan Jones (mother)")
    effort.choose(known)
    mother = found.get_by_label(re.compile(r"^Jan Jones, mother"))
    expect(mother).to_be_visible()
    effort.check_page()
    effort.tick(mother)
    effort.activate(page.get_by_role("button", name="Add another child"))
    effort.type(page.locator("#id_child_1_first_name"), "Sib1")
    effort.type(page.locator("#id_child_1_last_name"), "Jones")
    effort.type(page.locator("#id_child_1_date_of_birth"), "1/1/2016")
    effort.activate(page.get_by_role("button", name="Look for this child (child 2)"))
    expect(page.locator("#child_1-matches")).to_contain_text("No known child matches Sib1 Jones")
    expect(page.locator("#child_1-matches").get_by_label("This is a new child")).to_be_checked()
    effort.check_page()
    effort.activate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording the contact"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("Jan Jones (P-")
    effort.check_page()
    sib0 = page.locator("[data-proposal='0']")
    effort.choose(sib0.get_by_label("Propose a decision now"))
    effort.choose(sib0.get_by_label("Early help (the family consents)"))
    effort.choose(sib0.get_by_label("Level 3"))
    effort.type(sib0.get_by_label("Rationale for Sib0 Jones"), "Neglect signs, family willing")
    effort.activate(sib0.get_by_role("button", name=re.compile("Apply this to the other")))
    sib1 = page.locator("[data-proposal='1']")
    expect(sib1.get_by_label("Rationale for Sib1 Jones")).to_have_value(
        "Neglect signs, family willing"
    )
    expect(sib1.get_by_label("Propose a decision now")).not_to_be_checked()
    effort.check_page()
    effort.choose(sib1.get_by_label("Propose a decision now"))
    effort.activate(page.get_by_role("button", name="Record the contact"))
    expect(page.get_by_role("alert")).to_contain_text("with 2 proposed decisions")
    effort.check_page()
    return effort


def manager_signs_both_off(page: Page, width: int | None = None) -> Effort:
    effort = Effort(page, width=width)
    effort.activate(page.locator("main").get_by_role("link", name="Front door queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Front door queue")
    effort.activate(page.get_by_role("link", name="Sib0 Jones", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off the proposed decisions")
    effort.check_page()
    for name in ("Sib0 Jones", "Sib1 Jones"):
        group = page.get_by_role("group", name=f"Your decision for {name}")
        effort.choose(group.get_by_label("Sign it off"))
    effort.activate(page.get_by_role("button", name="Confirm"))
    expect(page.get_by_role("alert")).to_contain_text("2 decisions signed off")
    effort.check_page()
    return effort


def test_effort_two_siblings(browser: Browser, base: str) -> None:
    known = family()
    worker = practitioner_records_and_proposes(
        signed_in_at_home(browser, base, "practitioner", None)
    )
    contact = Contact.objects.get()
    assert Child.objects.count() == 2 and known in [cc.child for cc in contact.children.all()]
    assert [a.first_name for a in contact.adults.all()] == ["Jan"]
    assert {cc.state for cc in contact.children.all()} == {ContactChildState.PROPOSED}
    manager = manager_signs_both_off(signed_in_at_home(browser, base, "manager", None))
    assert {cc.state for cc in contact.children.all()} == {ContactChildState.SIGNED_OFF}
    print(worker.line("practitioner"))
    print(manager.line("manager"))
    assert worker.loads <= 4, worker.line("practitioner")
    assert manager.loads <= 3, manager.line("manager")


def test_the_new_pages_fit_375_px_and_axe_finds_nothing(browser: Browser, base: str) -> None:
    family()
    practitioner_records_and_proposes(signed_in_at_home(browser, base, "practitioner", 375), 375)
    manager_signs_both_off(signed_in_at_home(browser, base, "manager", 375), 375)
