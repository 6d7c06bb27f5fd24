"""Reminders filled into a skeleton rendered once per shape (jobs.skeleton) read, byte for byte, as Jinja
renders them for each family; a template that uses a family's value other than by writing it out whole is
caught before it can give a family another family's words."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import jinja2
import pytest
from jinja2 import nodes

from jobs.courts import DISTRICTS
from jobs.render import (
    LANGUAGES,
    PARTS,
    REMINDER_FREE,
    REMINDER_OWN,
    _environment,
    build_reminder_context,
    night_skeletons,
    render,
    render_reminder,
)
from jobs.skeleton import Skeletons

FUND = {
    "name": "Infino",
    "phone": "078 15 15 10",
    "email": "info@infino.example",
    "website": "www.infino.example",
}
KIND_FORUM = [
    ("payment", "arbitration"),
    ("care_allowance", "labour_court"),
    ("beneficiary_designation", "family_court"),
    ("arbitration_ruling", "labour_court"),
]
# Names a family may have, including ones that look like the skeleton's placeholders or need escaping.
NAMES = [
    "An Peeters",
    "Élodie D'Hondt",
    'Jan "Janneke" <b>Bold</b> & Zonen',
    "qsk0x",
    "Qsk3x wvvv1zzz",
    "zoë\nnieuwe regel",
    "  ",
    "{{ fund.name }}",
]


def _context(rng: random.Random) -> tuple[str, dict[str, Any]]:
    lang, inputs = _inputs(rng)
    return lang, build_reminder_context(*inputs)


def _inputs(rng: random.Random) -> tuple[str, tuple[Any, ...]]:
    """A random family's reminder: its window, beneficiary, advisor, fund, language and last stage."""
    lang = rng.choice(LANGUAGES)
    kind, forum = rng.choice(KIND_FORUM)
    informed = date(2025, 1, 2) + timedelta(days=rng.randrange(0, 400))
    safe = informed + timedelta(days=rng.choice((30, 61, 92, 95, 183)))
    days_left = rng.choice((0, 1, 2, 3, 7, 8, 14, 21, 30))
    window = {
        "decision_id": rng.randrange(1, 10**6),
        "kind": kind,
        "forum": forum,
        "decided_on": informed - timedelta(days=rng.randrange(0, 5)),
        "safe_deadline": safe,
        "days_left": days_left,
        "stage": days_left,
        "trigger_reason": "notification",
        "informed_on": informed,
        "trigger_on": informed,
        "restarted_on": None,
        "term_months": rng.choice((1, 3, 6)),
        "counts_from": "notification",
        "reference": rng.choice(("", None, "REF/2025/<1>", "B-" + str(rng.randrange(10**5)))),
    }
    district = rng.choice([*(d.names["nl"] for d in DISTRICTS), "", "Nergensland"])
    beneficiary = {
        "id": 1,
        "full_name": rng.choice(NAMES),
        "email": "x@example.be",
        "judicial_district": district,
    }
    advisor = rng.choice(
        (
            None,
            {"id": 7, "full_name": rng.choice(NAMES), "email": "sofie@infino.example"},
            {"id": 8, "full_name": rng.choice(NAMES), "email": ""},
            {"id": 9, "full_name": "Tom & Jerry", "email": "tom+jerry@infino.example"},
        )
    )
    fund = dict(FUND, phone=rng.choice((FUND["phone"], "")))
    return lang, (window, beneficiary, advisor, fund, lang, rng.choice((0, 3, 7)))


def test_filled_reminders_read_byte_for_byte_as_jinja_renders_them() -> None:
    rng = random.Random(20261130)
    skeletons = night_skeletons()
    contexts = [_context(rng) for _ in range(1500)]
    for lang, context in contexts:
        assert render("reminder", lang, context, skeletons) == render("reminder", lang, context)
    # The test must have filled skeletons, not only rendered shapes seen for the first time.
    assert skeletons.filled > len(contexts) // 3
    assert skeletons.plain == 0


def test_reminders_filled_without_making_their_context_read_byte_for_byte_as_jinja_renders_them() -> None:
    rng = random.Random(20261201)
    skeletons = night_skeletons()
    families = [_inputs(rng) for _ in range(1500)]
    for lang, inputs in families:
        assert render_reminder(*inputs, skeletons) == render(
            "reminder", lang, build_reminder_context(*inputs)
        )
    assert skeletons.filled > len(families) // 3
    assert skeletons.plain == 0


def test_a_template_that_reads_a_familys_own_value_is_never_filled_from_another_familys_mail() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "own.txt": "Dear {{ person.name }}, file {{ person.id }}",
                "fine.txt": "Dear {{ person.name }}{% if urgent %}, hurry{% endif %}",
            }
        )
    )
    skeletons = Skeletons(env)
    for name in ("own.txt", "fine.txt"):
        skeletons.add_family([name], ["person.name"], ["person.id"])
    for ident, name in ((1, "Ann"), (2, "Bram"), (3, "Cé & <Co>")):
        context = {"person": {"name": name, "id": ident}, "urgent": True}
        for template in ("own.txt", "fine.txt"):
            got = skeletons.render_known([template], ("urgent",), [name], lambda c=context: c)
            assert got == [env.get_template(template).render(context)]
    # fine.txt: rendered for the first family, filled in for the other two; own.txt reads the family's own
    # id and is rendered with Jinja for every family. (A template writing out a value that holds a family's
    # values whole, `{{ person }}`, is refused for the reminders by the test below.)
    assert skeletons.filled == 2


def test_a_free_value_that_is_measured_or_transformed_sends_the_shape_back_to_jinja() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "length.txt": "{{ name }} has {{ name | length }} letters",
                "upper.txt": "Dear {{ name | upper }},",
                "fine.txt": "Dear {{ name }}{% if title %} ({{ title | capitalize }}){% endif %},",
            }
        )
    )
    skeletons = Skeletons(env)
    for name in ("length.txt", "upper.txt", "fine.txt"):
        skeletons.add_family([name], ["name"])
    for person in ("Ann", "Bartholomeus", "Cé & <Co>", "Ann"):
        for name in ("length.txt", "upper.txt", "fine.txt"):
            context = {"name": person, "title": "dr"}
            assert skeletons.render([name], context) == [env.get_template(name).render(context)]
    # length and upper could not be proven: Jinja renders them for every family; fine.txt is filled.
    assert skeletons.plain == 2 * 3
    assert skeletons.filled == 3


# --- The templates keep to what a skeleton can fill in --------------------------------------------------


def _chain(node: nodes.Node) -> tuple[str, ...] | None:
    if isinstance(node, nodes.Name):
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        head = _chain(node.node)
        return None if head is None else (*head, node.attr)
    return None


def _uses(
    node: nodes.Node, parents: tuple[nodes.Node, ...] = ()
) -> list[tuple[tuple[str, ...], tuple[nodes.Node, ...]]]:
    path = _chain(node)
    if path is not None:
        return [(path, parents)]
    found = []
    for child in node.iter_child_nodes():
        found += _uses(child, (*parents, node))
    return found


def _written_out_or_tested(parents: tuple[nodes.Node, ...], macros: dict[str, set[str]]) -> bool:
    """Whether a use is `{{ value }}`, `{{ value | ucfirst }}`, a test for being empty (`if`, `and`, `or`,
    `not`), or an argument of a macro that itself only writes it out."""
    *rest, parent = parents
    if isinstance(parent, nodes.Filter) and parent.name == "ucfirst":
        *rest, parent = rest
    if isinstance(parent, nodes.Output):
        return True
    while isinstance(parent, nodes.And | nodes.Or | nodes.Not):
        *rest, parent = rest
    if isinstance(parent, nodes.If):
        return True
    if isinstance(parent, nodes.Call) and isinstance(parent.node, nodes.Getattr):
        return parent.node.attr in macros.get("writes_out_only", set())
    return False


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reminder_templates_only_write_out_or_test_a_familys_own_values(lang: str) -> None:
    env = _environment()
    assert env.loader is not None
    # The shared macros a free value may be passed to: those whose parameters are only written out.
    writes_out_only = set()
    for macro in env.parse(env.loader.get_source(env, "_macros/html.html")[0]).find_all(nodes.Macro):
        params = {a.name for a in macro.args}
        uses = [(p, ps) for p, ps in _uses(macro) if p[0] in params and ps and ps[-1] is not macro]
        if uses and all(isinstance(ps[-1], nodes.Output) for _, ps in uses):
            writes_out_only.add(macro.name)
    assert "mailto" in writes_out_only
    free = {tuple(p.split(".")) for p in REMINDER_FREE}
    own = {tuple(p.split(".")) for p in REMINDER_OWN}
    containers = {p[:i] for p in free | own for i in range(1, len(p))}
    for part in PARTS:
        tree = env.parse(env.loader.get_source(env, f"reminder/{lang}.{part}")[0])
        for path, parents in _uses(tree):
            where = f"reminder/{lang}.{part} uses {'.'.join(path)}"
            assert path not in own, f"{where}: take it out of jobs.render.REMINDER_OWN"
            if path in free:
                assert _written_out_or_tested(parents, {"writes_out_only": writes_out_only}), (
                    f"{where} other than by writing it out whole or testing it for being empty: take it out "
                    "of jobs.render.REMINDER_FREE"
                )
            if path in containers:  # a value holding a family's own values: only whether it is there
                assert _tested(parents), f"{where} other than by testing it for being empty"


def _tested(parents: tuple[nodes.Node, ...]) -> bool:
    *rest, parent = parents
    while isinstance(parent, nodes.And | nodes.Or | nodes.Not):
        *rest, parent = rest
    return isinstance(parent, nodes.If)


def test_shared_inputs_that_cannot_be_a_key_are_rendered_the_general_way() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"t.txt": "Dear {{ name }}{% if late %}, hurry{% endif %}"})
    )
    skeletons = Skeletons(env)
    skeletons.add_family(["t.txt"], ["name"])
    for late in ([1], [], [1]):  # a list: unhashable, as a shared input
        context = {"name": "Ann", "late": late}
        got = skeletons.render_known(["t.txt"], ("x", late), ["Ann"], lambda c=context: c)
        assert got == [env.get_template("t.txt").render(context)]
