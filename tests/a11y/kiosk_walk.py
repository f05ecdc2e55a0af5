"""The kiosk's screens along a citizen's path, reached by tapping as a citizen does. Each step leaves
the page on one screen; `walk(page, elderly, number)` yields (name, page) at every one, ending with
好差评 for the served ticket `number` (a queue's letter and three digits): the number typed, the
levels, the reasons a bad level asks for, the thanks."""


def _home(page, elderly):
    page.tap("#btn-home")
    page.wait_for_selector("#view-home:not([hidden])")
    if elderly:
        page.tap("#btn-elderly")
        page.wait_for_selector("html.elderly .big-item")


def _tap_and_wait(page, tap, ready):
    page.tap(tap)
    page.wait_for_selector(ready)


def _settled(page):
    """No transition or animation half-way (a button pressed scales while :active)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running' || "
                           "a.effect?.getComputedTiming().iterations === Infinity)")


NORMAL = [
    ("home", lambda p: None),
    ("life event list", lambda p: _tap_and_wait(p, ".event-tile[data-event='结婚']",
                                                "#view-list:not([hidden]) .item-row[data-item='marriage']")),
    ("item and materials", lambda p: _tap_and_wait(p, ".item-row[data-item='marriage']",
                                                   "#view-item:not([hidden]) #item-materials li")),
    ("ticket printed", lambda p: _tap_and_wait(p, "#take", "#view-ticket:not([hidden]) .print-status.ok")),
    ("search", lambda p: (_home(p, False), _tap_and_wait(p, "#open-search", "#view-search:not([hidden]) .key"),
                          p.tap(".key[data-k='j']"), p.tap(".key[data-k='h']"),
                          p.wait_for_selector("#search-results .item-row[data-item='marriage']"))),
    ("appointment check-in", lambda p: (_home(p, False), _tap_and_wait(p, "#open-checkin",
                                                                        "#view-checkin:not([hidden]) .num"),
                                        p.tap(".num[data-k='1']"))),
    ("green channel PIN", lambda p: (_home(p, False), p.tap(".event-tile[data-event='退休']"),
                                     _tap_and_wait(p, ".item-row[data-item='pension']", "#view-item:not([hidden])"),
                                     _tap_and_wait(p, "#take-priority", "#modal:not([hidden]) #pin-keys button"))),
    ("help", lambda p: (p.tap("#modal-cancel"), _tap_and_wait(p, "#help-bar", "#modal:not([hidden]) #modal-list li"))),
]

ELDERLY = [
    ("home", lambda p: (p.tap("#btn-elderly"), p.wait_for_selector("html.elderly .big-item"))),
    ("all departments", lambda p: _tap_and_wait(p, "#elderly-more", "#view-list:not([hidden]) #list-depts .dept")),
    ("department list", lambda p: _tap_and_wait(p, "#list-depts .dept >> nth=0", "#item-list .item-row")),
    ("item and materials", lambda p: (_home(p, True), _tap_and_wait(p, ".big-item[data-item='id-card']",
                                                                      "#view-item:not([hidden]) #item-materials li"))),
    ("ticket printed", lambda p: _tap_and_wait(p, "#take", "#view-ticket:not([hidden]) .print-status.ok")),
    ("appointment check-in", lambda p: (_home(p, True), _tap_and_wait(p, "#elderly-checkin",
                                                                       "#view-checkin:not([hidden]) .num"))),
    ("help", lambda p: _tap_and_wait(p, "#help-bar", "#modal:not([hidden]) #modal-list li")),
]


def rating(elderly, number):
    """好差评 from the home screen: 不满意 (normal) or 非常不满意 (elderly), each naming one reason."""
    score = "1" if elderly else "2"

    def type_number(p):
        if p.is_visible("#modal"):                     # the walk so far ends on the help dialog
            p.tap("#modal-ok")
            p.wait_for_selector("#modal", state="hidden")
        _home(p, elderly)
        _tap_and_wait(p, "#elderly-rate" if elderly else "#open-rate", "#view-rate:not([hidden]) #rate-number")
        p.tap(f"#view-rate [data-prefix='{number[0]}']")
        for digit in number[1:]:
            p.tap(f"#view-rate .num[data-k='{digit}']")
        p.wait_for_selector("#rate-next:not([disabled])")

    def reason(p):
        _tap_and_wait(p, f"#view-rate .rate-level[data-score='{score}']", "#view-rate .rate-option")
        p.locator("#view-rate .rate-option").first.tap()
        p.wait_for_selector("#rate-send:not([disabled])")
    return [
        ("rating: the ticket's number", type_number),
        ("rating: the levels", lambda p: _tap_and_wait(p, "#rate-next", "#view-rate .rate-level[data-score='5']")),
        ("rating: a reason", reason),
        ("rating: thanks", lambda p: _tap_and_wait(p, "#rate-send", "#view-rate .rate-thanks")),
    ]


def walk(page, elderly, number):
    for name, step in (ELDERLY if elderly else NORMAL) + rating(elderly, number):
        step(page)
        assert page.evaluate("document.documentElement.classList.contains('elderly')") == elderly, name
        page.wait_for_selector("#busy", state="hidden")
        _settled(page)
        yield name, page
