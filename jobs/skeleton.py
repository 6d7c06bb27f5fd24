"""Render once per shape, fill in per family: Jinja stays the one source of a mail's text.

A night's reminders differ from family to family in a few values (the name, the dates, the reference, the
advisor) and in a few choices (urgent or not, a holiday, an advisor with an address). Everything else, the
language, the forum and its court for the district, the fund, the organisations, is the same for hundreds of
families. `Skeletons` renders a template once per *shape* with placeholders in the place of the family's own
values, and then writes each family's mail by putting its values (escaped in HTML, as Jinja escapes them) into
those places.

- The shape is read off the context itself: every value the template reads (found by walking the parsed
  template, the templates it extends and imports included) is part of the shape, except the *free* values
  named by the caller, of which only whether they are empty counts (`{% if holiday %}`). So two contexts with
  one shape differ only in non-empty free values.
- A free value may only be written out, whole (`{{ reason }}`, `{{ deadline_text | ucfirst }}`) or tested for
  being empty: never compared, measured or cut (`tests/test_skeleton.py` checks the templates for it).
- Each new shape is proven on its first family before it is used: the skeleton is rendered with two different
  sets of placeholders (of different lengths), both are filled with that family's values, and both must give,
  byte for byte, what Jinja gives for that family. A shape that fails (or a context that cannot be read as a
  shape) is rendered by Jinja for every family, as before.
- A caller that makes its contexts from a few shared inputs and the free values (jobs.render's reminders)
  may skip making the context and reading its shape: `render_known` looks the shape up by those shared inputs
  and fills it in; only the first family of each makes its context (see there for what it vouches for).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, Final

import jinja2
from jinja2 import nodes
from markupsafe import escape

__all__ = ["Skeletons", "referenced_paths"]

Path = tuple[str | int, ...]

_MISSING: Final = object()
# A dict's own attributes: `a.items` reads the method, as in Jinja; any other name a plain dict holds is
# read as its key (here and in jobs.render's environment).
DICT_ATTRIBUTES: Final = frozenset(dir(dict))
_FULL: Final = ("free", True)
_GONE: Final = ("gone",)
# Types whose values, of one type, are equal exactly when Jinja writes them alike (float is not: 0.0, -0.0;
# nor datetime: time zones). `object` is _MISSING's.
_SIMPLE: Final = frozenset({str, bool, type(None), int, date, object})
_ESCAPED_MAX: Final = 200_000  # escaped texts kept a night (names, sentences, dates)
_FREE, _CONTAINER, _LEAF = (
    object(),
    object(),
    object(),
)  # what a path of the shape is  # a free value that is not empty: in the shape, only that it is there

# Two sets of placeholders of different lengths; the first letter is a lowercase one so that `ucfirst`
# shows (as a capital) where it was applied. Nothing else in a mail looks like them, and the proof on the
# first family of each shape would notice if something did.
_MARKS: Final = (
    (lambda i: f"qsk{i}x", re.compile(r"([qQ])sk(\d+)x")),
    (lambda i: f"wvvv{i}zzz", re.compile(r"([wW])vvv(\d+)zzz")),
)


def referenced_paths(env: jinja2.Environment, name: str) -> frozenset[Path]:
    """Every context path the template `name` reads (`decision.kind`, `bodies.ombudsman.phone`, `lang`),
    through the templates it extends, includes and imports. A path read with a computed key (`r[last]`) is
    taken whole up to that key."""
    seen: set[str] = set()
    paths: set[Path] = set()

    def chain(node: nodes.Node) -> Path | None:
        if isinstance(node, nodes.Name):
            return (node.name,)
        if isinstance(node, nodes.Getattr):
            head = chain(node.node)
            return None if head is None else (*head, node.attr)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            head = chain(node.node)
            key = node.arg.value
            return None if head is None or not isinstance(key, str | int) else (*head, key)
        return None

    def visit(node: nodes.Node) -> None:
        path = chain(node)
        if path is not None:
            paths.add(path)
            return
        if isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
            target = node.template
            if isinstance(target, nodes.Const) and isinstance(target.value, str):
                load(target.value)
        for child in node.iter_child_nodes():
            visit(child)

    def load(template: str) -> None:
        if template in seen:
            return
        seen.add(template)
        assert env.loader is not None
        source = env.loader.get_source(env, template)[0]
        visit(env.parse(source))

    load(name)
    return frozenset(paths)


def _freeze(value: Any) -> Hashable:
    """A value as a hashable key part; the type is kept, so that 1, 1.0 and True (equal keys in Python,
    written differently by Jinja) stay apart."""
    kind = type(value)
    if kind is str:  # the most of them; a str equals no other key part
        return value
    if kind is tuple and all(type(v) is str for v in value):  # a contact line
        return value
    if kind is dict:
        return (dict, tuple((k, _freeze(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        items = tuple(value)
        if all(type(v) is tuple and all(type(x) is str for x in v) for v in items):  # contact lines
            return (kind, items)
        return (kind, tuple(_freeze(v) for v in items))
    hash(value)  # a TypeError for what cannot be a key: the caller renders with Jinja
    return (kind, value)


def _leaf(value: Any) -> Hashable:
    """A value read by the template, as a key part."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool or value is None:
        return (kind, value)
    return _freeze(value)


def _free_part(value: Any) -> Hashable:
    """A free value as a key part: _FULL when it is written out (its text is the family's own, kept apart),
    else what the template sees of it: missing, or which empty value of which type."""
    if value is _MISSING or not value:
        return ("empty", type(value), None if value is _MISSING else value)
    return _FULL


def _held_part(value: Any) -> Hashable:
    """A value the template only tests (is it there, is it empty) as a key part."""
    there = value is not _MISSING
    return ("there", there, type(value), there and bool(value))


def _nested(inner: Path, outer: Path) -> bool:
    """`inner` is a path inside the value at `outer` (`decision.id` inside `decision`)."""
    return len(inner) > len(outer) and inner[: len(outer)] == outer


class _Memo:
    """What `_Shape.key` read from the holders below the top of a context, by group and the holder's
    identity (each holder kept alive here, so that its identity is not reused); with each group's hits and
    misses, so that a group whose holder is new in every context stops being kept."""

    def __init__(self, groups: int) -> None:
        self.seen: dict[tuple[int, int], tuple[Any, list[Hashable], list[tuple[int, Any]]]] = {}
        self.hits = [0] * groups
        self.misses = [0] * groups


class _Shape:
    """The paths of one template family (a kind and language), sorted, with what is read at each."""

    def __init__(self, env: jinja2.Environment, names: Sequence[str], free: Iterable[Path]) -> None:
        paths: set[Path] = set()
        for name in names:
            paths |= referenced_paths(env, name)
        self.free = tuple(sorted(set(free), key=repr))
        read = sorted(paths - set(self.free), key=repr)
        # A path that is also the start of a longer one (`advisor` and `advisor.email`): only whether it is
        # there and empty is part of the shape here; its parts that are read are keyed on their own.
        self.containers = tuple(p for p in read if any(_nested(q, p) for q in paths))
        self.leaves = tuple(p for p in read if p not in self.containers)
        self.env = env
        # The reads grouped by the path they are read from, so that `bodies.ombudsman` is looked up once
        # for all of its fields: (parent, [(last step, role, index of a free value)]).
        by_parent: dict[Path, list[tuple[str | int, object, int]]] = {}
        for role, chosen in ((_FREE, self.free), (_CONTAINER, self.containers), (_LEAF, self.leaves)):
            for at, path in enumerate(chosen):
                by_parent.setdefault(path[:-1], []).append((path[-1], role, at))
        self.groups = tuple(by_parent.items())
        # Per group, the parent's one step when it is a single name a dict holds as a key (`forum`, `r`):
        # read with the context's `get` directly (as `get` would), not through `get`'s loop.
        self.steps = tuple(
            p[0] if len(p) == 1 and isinstance(p[0], str) and p[0] not in DICT_ATTRIBUTES else None
            for p, _reads in self.groups
        )
        # Per group, for a holder that is a plain dict, the steps by role, read with `map(holder.get, ...)`
        # (in C); None where a step is also a dict's attribute (Jinja would read the method): read one by one.
        self.fast: list[tuple[tuple[Any, ...], ...] | None] = []
        for _parent, reads in self.groups:
            if any(step in DICT_ATTRIBUTES for step, _role, _at in reads):
                self.fast.append(None)
                continue
            leaves = tuple(step for step, role, _at in reads if role is _LEAF)
            frees = tuple(step for step, role, _at in reads if role is _FREE)
            held = tuple(step for step, role, _at in reads if role is _CONTAINER)
            self.fast.append(
                (
                    leaves,
                    (_MISSING,) * len(leaves),
                    frees,
                    tuple(at for _step, role, at in reads if role is _FREE),
                    (_MISSING,) * len(frees),
                    held,
                    (_MISSING,) * len(held),
                )
            )

    def get(self, context: Mapping[str, Any], path: Path) -> Any:
        """The value at `path`, as Jinja reads it (an attribute first for `a.b`), or _MISSING."""
        value: Any = context
        for step in path:
            if type(value) is dict and step not in DICT_ATTRIBUTES:
                value = value.get(step, _MISSING)
                if value is _MISSING:
                    return _MISSING
            else:
                value = (
                    self.env.getattr(value, step) if isinstance(step, str) else self.env.getitem(value, step)
                )
                if isinstance(value, jinja2.Undefined):
                    return _MISSING
        return value

    def key(self, context: Mapping[str, Any], memo: _Memo | None = None) -> tuple[Hashable, list[Any]]:
        """The shape of `context` and its free values (None where a value is empty: written as it is).

        `memo` (one night's): what was read from a holder below the top (`bodies.ombudsman`, `fund`), by
        the holder's identity; the same object met again (the organisations' and the fund's views are
        shared by every context of a language) is not read again. The memo keeps each holder alive, so an
        identity is never reused for another object while the memo lives; the views are only read, never
        changed, while a night runs. A holder made anew for each context (the decision, the family) is
        not kept once it has missed often without a hit."""
        parts: list[Hashable] = []
        values: list[Any] = [None] * len(self.free)
        get = self.get
        plain_context = type(context) is dict
        for g, (parent, reads) in enumerate(self.groups):
            name = self.steps[g]
            if name is not None and plain_context:
                holder: Any = context.get(name, _MISSING)
            else:
                holder = get(context, parent) if parent else context
            if holder is _MISSING:  # every read below it is missing (a macro's own names: `m.contact`, `r`)
                parts.append(_GONE)
                continue
            # kept while the group has hit, or for its first 32 holders
            keep = parent and memo is not None and (memo.hits[g] > 0 or memo.misses[g] < 32)
            if keep:
                assert memo is not None
                seen = memo.seen.get((g, id(holder)))
                if seen is not None and seen[0] is holder:
                    memo.hits[g] += 1
                    parts.extend(seen[1])
                    for at, value in seen[2]:
                        values[at] = value
                    continue
                memo.misses[g] += 1
                start, frees = len(parts), []
            plain = type(holder) is dict
            fast = self.fast[g] if plain else None
            if fast is not None:
                leaves, no_leaves, frees_at, ats, no_frees, held, no_held = fast
                read = tuple(map(holder.get, leaves, no_leaves))
                kinds = tuple(map(type, read))
                # Values of these types equal as keys only when Jinja writes them alike (the types are kept).
                parts.append((kinds, read) if _SIMPLE.issuperset(kinds) else (None, tuple(map(_leaf, read))))
                for at, value in zip(ats, map(holder.get, frees_at, no_frees), strict=True):
                    part = _free_part(value)
                    parts.append(part)
                    if part is _FULL:
                        values[at] = value
                        if keep:
                            frees.append((at, value))
                parts += map(_held_part, map(holder.get, held, no_held))
            for step, role, at in reads if fast is None else ():
                if plain and step not in DICT_ATTRIBUTES:
                    value = holder.get(step, _MISSING)
                else:
                    value = _MISSING if holder is _MISSING else get(holder, (step,))
                if role is _LEAF:
                    parts.append(_leaf(value))
                elif role is _FREE:
                    part = _free_part(value)
                    parts.append(part)
                    if part is _FULL:
                        values[at] = value
                        if keep:
                            frees.append((at, value))
                else:
                    parts.append(_held_part(value))
            if keep:
                assert memo is not None
                memo.seen[(g, id(holder))] = (holder, parts[start:], frees)
        return tuple(parts), values

    def stand_in(self, context: Mapping[str, Any], values: list[Any], mark: Callable[[int], str]) -> Any:
        """A copy of `context` with each non-empty free value replaced by its placeholder."""
        copy: dict[str, Any] = dict(context)
        for i, (path, value) in enumerate(zip(self.free, values, strict=True)):
            if value is None:
                continue
            holder: Any = copy
            for step in path[:-1]:
                inner = dict(holder[step])
                holder[step] = inner
                holder = inner
            holder[path[-1]] = mark(i)
        return copy


@lru_cache(maxsize=64)
def _shape(env: jinja2.Environment, family: tuple[str, ...], free: tuple[Path, ...]) -> _Shape:
    """A template family's paths, read once per process (the templates do not change while a night runs)."""
    return _Shape(env, family, free)


class _Skeleton:
    """A rendered shape cut at its placeholders: the literal texts around the places and the places'
    (free value, capitalised) pairs, in order."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        pieces = pattern.split(text)
        self.literals = pieces[0::3]
        self.slots = [(int(n), c.isupper()) for c, n in zip(pieces[1::3], pieces[2::3], strict=True)]


class _Filler:
    """One shape's skeletons (one per part) ready to fill: the texts a mail needs, each (free value,
    capitalised, escaped) made once per mail, then each part is its literals and those texts interleaved and
    joined (`str.join` copies the literals; a `%` format of the same text scans every character of a
    several-kilobyte mail, about a tenth of a reminder's cost)."""

    def __init__(self, skeletons: list[_Skeleton], html: list[bool]) -> None:
        wanted = dict.fromkeys(
            (i, cap, escaped)
            for skeleton, escaped in zip(skeletons, html, strict=True)
            for i, cap in skeleton.slots
        )
        # The texts in the order `fill` makes them, each kind in one pass: as written, capitalised, then
        # escaped in HTML (sorted is stable: within a kind, in the order the parts need them).
        self.needed = tuple(sorted(wanted, key=lambda k: (k[2], k[1])))
        position = {k: n for n, k in enumerate(self.needed)}
        self.written = tuple(i for i, cap, escaped in self.needed if not escaped and not cap)
        self.capitalised = tuple(i for i, cap, escaped in self.needed if not escaped and cap)
        self.escaped = tuple((i, cap) for i, cap, escaped in self.needed if escaped)
        self.parts: list[tuple[list[str], Callable[[list[str]], tuple[str, ...]]]] = []
        for skeleton, escaped in zip(skeletons, html, strict=True):
            at = [position[(i, cap, escaped)] for i, cap in skeleton.slots]
            if not at:
                pick: Callable[[list[str]], tuple[str, ...]] = _nothing
            elif len(at) == 1:
                pick = _one(at[0])
            else:
                pick = itemgetter(*at)
            # literals and places interleaved, the places empty: each fill writes its texts into a copy
            interleaved: list[str] = [""] * (2 * len(skeleton.literals) - 1)
            interleaved[0::2] = skeleton.literals
            self.parts.append((interleaved, pick))

    def fill(self, values: list[Any], escaped: dict[str, str]) -> list[str]:
        """Each part's text with each place filled in: the value as Jinja writes it (`str`), capitalised
        where `ucfirst` was applied, escaped in HTML (`escaped` keeps a night's escaped texts)."""
        texts = [str(values[i]) for i in self.written]
        texts += [_capitalised(str(values[i])) for i in self.capitalised]
        known = escaped.get
        for i, cap in self.escaped:
            text = _capitalised(str(values[i])) if cap else str(values[i])
            done = known(text)
            if done is None:
                if len(escaped) >= _ESCAPED_MAX:
                    escaped.clear()
                done = escaped[text] = str(escape(text))
            texts.append(done)
        filled = []
        for interleaved, pick in self.parts:
            pieces = interleaved.copy()
            pieces[1::2] = pick(texts)
            filled.append("".join(pieces))
        return filled


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _nothing(texts: list[str]) -> tuple[str, ...]:
    return ()


def _one(at: int) -> Callable[[list[str]], tuple[str, ...]]:
    def pick(texts: list[str]) -> tuple[str, ...]:
        return (texts[at],)

    return pick


class Skeletons:
    """The skeletons of one night, by template and shape. `render(names, context)` gives each template's
    text as Jinja would; `free` (per template family, see `add_family`) names the values filled in per mail.
    A shape that cannot be proven is rendered by Jinja each time (`plain` counts those renders)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._shapes: dict[tuple[str, ...], _Shape] = {}
        self._free: dict[tuple[str, ...], tuple[Path, ...]] = {}
        self._templates: dict[tuple[str, ...], tuple[list[jinja2.Template], list[bool]]] = {}
        self._made: dict[tuple[tuple[str, ...], Hashable], _Filler | None] = {}
        self._memos: dict[tuple[str, ...], _Memo] = {}  # per family: see _Shape.key
        self._escaped: dict[str, str] = {}  # a night's texts as escaped in HTML
        self._own: dict[tuple[str, ...], tuple[Path, ...]] = {}
        # render_known: per family, the free values' order in the shape (None: the family cannot be rendered
        # that way), and what each (shared, empty free values) was rendered as
        self._orders: dict[tuple[str, ...], Callable[[Sequence[Any]], tuple[Any, ...]] | None] = {}
        self._known: dict[tuple[tuple[str, ...], Hashable, tuple[Hashable, ...]], _Filler | None] = {}
        self.shapes = 0
        self.filled = 0
        self.plain = 0

    def add_family(self, names: Sequence[str], free: Iterable[str], own: Iterable[str] = ()) -> None:
        """`free`: the values filled in per mail (see the module's docstring). `own`: the context's values
        that are a family's own but that the templates are not to read (for `render_known`)."""
        self._free[tuple(names)] = tuple(tuple(p.split(".")) for p in free)
        self._own[tuple(names)] = tuple(tuple(p.split(".")) for p in own)

    def _load(self, family: tuple[str, ...]) -> tuple[list[jinja2.Template], list[bool]]:
        """The templates, compiled once per night, and which of them Jinja autoescapes."""
        escaping = self.env.autoescape
        templates = [self.env.get_template(n) for n in family]
        html = [bool(escaping(n) if callable(escaping) else escaping) for n in family]
        return templates, html

    def render(self, names: Sequence[str], context: Mapping[str, Any]) -> list[str]:
        return self._render(tuple(names), context)[0]

    def render_known(
        self,
        names: Sequence[str],
        shared: Hashable,
        free: Sequence[Any],
        context: Callable[[], Mapping[str, Any]],
    ) -> list[str]:
        """What `render(names, context())` gives, without making the context when a mail of the same `shared`
        and the same empty free values was rendered before: its skeleton is filled with `free`.

        The caller vouches that its context is made of three parts: every value the templates read that is
        not a free one comes from `shared` alone; `free` holds the family's free values (add_family's `free`,
        in that order), each only at its place; and the family's `own` values (add_family's `own`) are only
        at theirs. Whether the templates keep to it is checked here, once per family: a template that reads an
        own value, reads inside a free or own value, or reads a value that holds one whole, sends every mail
        of the family back to `render`."""
        family = tuple(names)
        order = self._orders.get(family, _MISSING)
        if order is _MISSING:
            order = self._orders[family] = self._order(family)
        if order is None:
            return self.render(names, context())
        values = order(free)  # type: ignore[operator]
        try:
            key = (family, shared, tuple(map(_free_part, values)))
            made = self._known.get(key, _MISSING)  # hashes the key once
        except (TypeError, ValueError):  # a value that cannot be part of a key (or be tested): as render
            return self.render(names, context())
        if made is _MISSING:
            texts, made = self._render(family, context())
            self._known[key] = made
            return texts
        if made is None:
            self.plain += 1
            made_context = context()
            return [t.render(made_context) for t in self._templates[family][0]]
        assert isinstance(made, _Filler)
        self.filled += 1
        return made.fill(values, self._escaped)

    def _order(self, family: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]] | None:
        """The free values as add_family gave them, put in the order of the family's shape; None when the
        family's templates do not keep to what `render_known` needs (see there)."""
        free, own = self._free.get(family), self._own.get(family, ())
        if free is None:
            return None
        shape = _shape(self.env, family, free)
        values = set(free) | set(own)
        for path in shape.leaves:
            if path in own or any(_nested(path, value) or _nested(value, path) for value in values):
                return None
        for path in shape.containers:
            if path in values or any(_nested(path, value) for value in values):
                return None
        at = [free.index(path) for path in shape.free]
        return itemgetter(*at) if len(at) > 1 else lambda values: tuple(values[i] for i in at)

    def _render(
        self, family: tuple[str, ...], context: Mapping[str, Any]
    ) -> tuple[list[str], _Filler | None]:
        """`render`, with the shape's filler it used or made (None where Jinja rendered it)."""
        found = self._templates.get(family)
        if found is None:
            found = self._templates[family] = self._load(family)
        templates, html = found
        free = self._free.get(family)
        if free is None:
            self.plain += 1
            return [t.render(context) for t in templates], None
        shape = self._shapes.get(family)
        if shape is None:
            shape = self._shapes[family] = _shape(self.env, family, free)
            self._memos[family] = _Memo(len(shape.groups))
        try:
            key, values = shape.key(context, self._memos[family])
            made = self._made.get((family, key), _MISSING)  # hashes the key once
        except (TypeError, ValueError):  # a value that cannot be part of a key (or be tested): Jinja it is
            self.plain += 1
            return [t.render(context) for t in templates], None
        if made is None:
            self.plain += 1
            return [t.render(context) for t in templates], None
        if made is _MISSING:
            real = [t.render(context) for t in templates]
            made = self._made[(family, key)] = self._prove(shape, templates, html, context, values, real)
            self.shapes += 1
            return real, made
        assert isinstance(made, _Filler)
        self.filled += 1
        return made.fill(values, self._escaped), made

    def _prove(
        self,
        shape: _Shape,
        templates: list[jinja2.Template],
        html: list[bool],
        context: Mapping[str, Any],
        values: list[Any],
        real: list[str],
    ) -> _Filler | None:
        found: list[_Filler] = []
        for mark, pattern in _MARKS:
            try:
                stand_in = shape.stand_in(context, values, mark)
                cut = _Filler([_Skeleton(t.render(stand_in), pattern) for t in templates], html)
            except Exception:  # a placeholder the template could not take as the value: Jinja it is
                return None
            if cut.fill(values, {}) != real:
                return None
            found.append(cut)
        return found[0]
