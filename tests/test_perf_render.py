"""The render hot path's shortcuts give what the long way gives (no timing here: see benchmarks/).

* ``Renderer.locale_chain`` memoises chains; the reference is ``i18n.locale_chain`` itself.
* A warm ``Renderer`` with a long ``check_interval`` does not look at the files again.
* ``to_message().as_bytes()`` (bytes written while building) equals the stdlib generator's output
  for every built-in email in every shipped locale.
"""

from __future__ import annotations

import io
from email.generator import BytesGenerator
from pathlib import Path
from typing import Any

import pytest

from mailtemplates import i18n
from mailtemplates.errors import InvalidName
from mailtemplates.loader import BUILTIN_ROOT
from mailtemplates.models import TEMPLATE_TYPES, sample_context
from mailtemplates.render import _CHAIN_MEMO_SIZE, Renderer

CONTEXTS: list[dict[str, Any]] = [
    {},
    {"Identity": {"traits": {"locale": "de-AT"}}},
    {"Identity": {"traits": {"language": "pt-br"}}},
    {"Identity": {"traits": {"locale": "../etc"}}},  # not a tag: skipped, as i18n does
    {"TransientPayload": {"locale": "ja"}},
    {"Traits": {"language": "fr_CA"}},
]


def reference_chain(r: Renderer, locale: str | None, data: dict[str, Any]) -> tuple[str, ...]:
    generic = set(i18n.fallback_chain(None, r.default_locale))
    chain: list[str] = []
    for t in i18n.locale_chain(locale, data, default=r.default_locale):
        if t in generic:  # the chain ends at the default locale (docs/rendering.md)
            break
        chain.append(t)
    return tuple(chain)


@pytest.mark.parametrize("default", ["en", "de"])
def test_memoised_locale_chains_are_i18n_chains(default: str) -> None:
    r = Renderer(default_locale=default)
    for _ in range(2):  # the second pass is served from the memo
        for locale in (None, "", "de", "de-AT", "en_GB", "pt_BR", "zh-Hant-TW"):
            for data in CONTEXTS:
                assert r.locale_chain(locale, data) == reference_chain(r, locale, data)


def test_locale_chain_memo_is_bounded_and_bad_tags_still_raise() -> None:
    r = Renderer()
    for i in range(_CHAIN_MEMO_SIZE + 50):
        data = {"Identity": {"traits": {"locale": f"x{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}"}}}
        r.locale_chain(None, data)
    assert 0 < len(r._chains) <= _CHAIN_MEMO_SIZE
    for _ in range(2):
        with pytest.raises(InvalidName):
            r.locale_chain("../x", {})


def test_warm_renderer_does_not_stat_files_within_check_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Renderer(check_interval=3600)
    ctx = sample_context("recovery/valid")
    first = r.render("recovery/valid", ctx)
    calls: list[object] = []
    real_stamp = r.loader.stamp

    def counting_stamp(*args: Any) -> tuple[object, ...]:
        calls.append(args)
        return real_stamp(*args)

    monkeypatch.setattr(r.loader, "stamp", counting_stamp)
    for _ in range(5):
        assert r.render("recovery/valid", ctx) == first
    assert calls == []
    r.check_interval = 0  # the preview's setting: every render checks
    r.render("recovery/valid", ctx)
    assert len(calls) == 3  # subject, body, plaintext


def test_override_rank_decides_derived_text(tmp_path: Path) -> None:
    # The same case as test_render's: the compiled part's stored rank is what _rank computes.
    folder = tmp_path / "recovery" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.body.gotmpl").write_text("<p>Hello {{ .To }}</p>", encoding="utf-8")
    r = Renderer([tmp_path])
    email = r.render("recovery/valid", {"To": "a@example.com"})
    assert "plaintext" not in email.files
    for part in r._cache.values():
        assert part.rank == r._rank(part.source.origin, part.source.path)


def _locales(name: str) -> list[str]:
    folder = Path(BUILTIN_ROOT) / TEMPLATE_TYPES[name].name
    tags = {p.name.split(".")[-2] for p in folder.glob("email.subject.*.gotmpl")}
    return ["en", *sorted(tags)]


def _generator_bytes(msg: Any) -> bytes:
    buf = io.BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=msg.policy).flatten(msg)
    return buf.getvalue()


@pytest.mark.parametrize("name", [n for n, t in TEMPLATE_TYPES.items() if t.templated])
def test_message_bytes_of_every_builtin_email_are_the_generators(name: str) -> None:
    r = Renderer(check_interval=3600)
    for locale in _locales(name):
        email = r.render(name, sample_context(name, locale=locale), locale=locale)
        msg = email.to_message(from_address="no-reply@example.com", from_name="Example", to="ada@example.com")
        assert msg._wire is not None
        assert msg.as_bytes() == _generator_bytes(msg)
