"""``lint``'s email-client compatibility check (MT401/MT402) and its caniemail data.

The expectations come from the data file (the test looks support up in it, never restates it)
and from what css-inline really does with a style sheet (checked here, since the check models it).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest
from helpers import write

from mailtemplates.errors import MailTemplateError
from mailtemplates.inline import get_inliner
from mailtemplates.lint import lint_paths, main
from mailtemplates.lint.compat import DATA, DEFAULT_CLIENTS, features_used, parse_clients
from mailtemplates.loader import BUILTIN_ROOT

REPO = Path(__file__).resolve().parent.parent
REAL = REPO / "tests" / "fixtures" / "lint_compat" / "realworld"
RV = "recovery/valid"
BODY = REAL / RV / "email.body.gotmpl"


def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def compat(paths: list[str], **kw: Any) -> dict[str, Any]:
    """slug -> diagnostic, for MT401/MT402."""
    out = {}
    for d in lint_paths(paths, **kw):
        if d.code in ("MT401", "MT402"):
            out[d.message.split(" [")[1].split("]")[0]] = d
    return out


def at(needle: str, nth: int = 0) -> tuple[int, int]:
    text = BODY.read_text(encoding="utf-8")
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def latest(slug: str, family: str) -> dict[str, str]:
    """platform -> the most recent tested support (unknown skipped), read from the data."""
    out = {}
    for platform, cells in data()["features"][slug]["support"].get(family, {}).items():
        flags = [c.rsplit("=", 1)[1] for c in cells.split() if not c.endswith("=u")]
        if flags:
            out[platform] = flags[-1]
    return out


# --- the data file -------------------------------------------------------------------------------


def test_data_holds_the_facts_only() -> None:
    d = data()
    assert d["source"]["package"] == "caniemail@2.0.2"
    assert len(d["features"]) == 307
    for slug, feat in d["features"].items():
        assert set(feat) == {"title", "category", "url", "support"}, slug
        assert feat["url"] == f"https://www.caniemail.com/features/{slug}/"
        for platforms in feat["support"].values():
            for cells in platforms.values():
                assert all(c.rsplit("=", 1)[1] in "ynau" for c in cells.split()), (slug, cells)
    licence = (DATA.parent / "LICENSE.caniemail").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Permission is hereby granted" in licence
    assert "caniemail" in (REPO / "NOTICE").read_text(encoding="utf-8")


def _build_tool() -> Any:
    spec = importlib.util.spec_from_file_location("build_caniemail", REPO / "tools" / "build_caniemail.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_tool_compiles_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _build_tool()
    raw = {
        "last_update_date": "2026-01-01",
        "nicenames": {"family": {"gmail": "Gmail"}, "platform": {"ios": "iOS"}},
        "data": [
            {
                "slug": f"css-x{i}",
                "title": "x",
                "description": "dropped",
                "url": "https://www.caniemail.com/features/css-x/",
                "category": "css",
                "keywords": "dropped",
                "notes_by_num": {"1": "dropped"},
                "stats": {"gmail": {"ios": {"2019-01": "n", "2024-02": "a #1"}}},
            }
            for i in range(tool.FEATURES)
        ],
    }
    out = tool.compile_data(raw)
    assert out["features"]["css-x0"] == {
        "title": "x",
        "category": "css",
        "url": "https://www.caniemail.com/features/css-x/",
        "support": {"gmail": {"ios": "2019-01=n 2024-02=a"}},
    }
    assert "dropped" not in json.dumps(out)
    # A tarball whose bytes are not the pinned package's is refused before it is read.
    fake = tmp_path / "caniemail-2.0.2.tgz"
    with tarfile.open(fake, "w:gz") as tar:
        blob = json.dumps(raw).encode()
        info = tarfile.TarInfo("package/data/caniemail.json")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    with pytest.raises(SystemExit, match="not the pinned package"):
        tool.verify(fake)
    digest = base64.b64encode(hashlib.sha512(fake.read_bytes()).digest()).decode()
    monkeypatch.setattr(tool, "INTEGRITY", f"sha512-{digest}")
    tool.verify(fake)


# --- clients ---------------------------------------------------------------------------------------


def test_parse_clients() -> None:
    assert parse_clients(None) == dict.fromkeys(DEFAULT_CLIENTS)
    assert parse_clients("gmail, outlook.windows,outlook.macos") == {
        "gmail": None,
        "outlook": frozenset({"windows", "macos"}),
    }
    assert set(parse_clients("all")) == set(data()["clients"])
    assert parse_clients("none") == {}
    with pytest.raises(MailTemplateError, match="unknown email client 'hotmail'; known: all, gmail"):
        parse_clients("hotmail")
    with pytest.raises(MailTemplateError, match="unknown platform 'linux'"):
        parse_clients("gmail.linux")


def test_unknown_client_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(REAL), "--clients", "hotmail"]) == 2
    assert "unknown email client 'hotmail'" in capsys.readouterr().err


# --- what a template uses ----------------------------------------------------------------------------


def test_realworld_override_report() -> None:
    found = compat([str(REAL)])
    # Layout, web fonts, media queries and modern CSS, each at its first use in the source.
    expect = {
        "css-display-flex": at("display: flex"),
        "css-flex-direction": at("flex-direction: column"),
        "css-gap": at("gap: 16px"),
        "css-at-font-face": at("@font-face"),
        "css-at-import": at("@import"),
        "css-at-media": at("@media"),
        "css-at-media-prefers-color-scheme": at("prefers-color-scheme"),
        "css-linear-gradient": at("linear-gradient"),
        "css-variables": at("--brand"),
        "css-unit-rem": at("2rem"),
        "css-box-shadow": at("box-shadow"),
        "css-border-radius": at("border-radius"),
        "html-meta-color-scheme": at('<meta name="color-scheme"'),
        "html-link": at("<link"),
        "html-svg": at("<svg"),
        "html-semantics": at("<section"),
        "html-anchor-links": at("#faq"),
        "image-webp": at("https://cdn.example.com/lock.webp"),
        "css-selector-class": at(".card { width"),
        "css-selector-grouping": at(", .card {"),
    }
    for slug, pos in expect.items():
        assert slug in found, slug
        d = found[slug]
        assert (d.line, d.col) == pos, slug
        assert d.suggestion == f"see https://www.caniemail.com/features/{slug}/"
    # Outlook on Windows does not do flexbox; the message names it with the data's names.
    flex = found["css-display-flex"]
    assert latest("css-display-flex", "outlook")["windows"] == "n"
    assert flex.code == "MT401" and "not supported in Outlook (Windows" in flex.message
    # Selectors of plain rules are inlined away; a :hover rule is dropped by the inliner.
    assert "css-pseudo-class-hover" not in found
    assert "css-selector-descendant" not in found


def test_severity_follows_the_data() -> None:
    found = compat([str(REAL)], clients="outlook.windows")
    for slug, d in found.items():
        flags = set(latest(slug, "outlook").get("windows", "")[:1])
        assert d.code == ("MT401" if "n" in flags else "MT402"), slug
        assert flags & {"n", "a"}, slug
    # Apple Mail supports nearly all of it: only what its latest versions lack is reported.
    apple = compat([str(REAL)], clients="apple-mail")
    for slug in apple:
        assert set(latest(slug, "apple-mail").values()) & {"n", "a"}, slug
    assert len(apple) < len(found)


def test_the_inliner_does_what_the_check_assumes() -> None:
    # Plain rules (structural pseudo-classes too) become inline styles; :hover and ::before
    # rules are dropped; at-rules stay in <style>.
    out = get_inliner("css-inline").inline(
        "<html><head><style>.a{color:red} li:first-child{margin:0} a:hover{color:blue} "
        "p::before{content:'x'} @media (max-width:600px){.a{color:green}}</style></head>"
        '<body><p class="a">x</p><ul><li>y</li></ul><a href="#">z</a></body></html>'
    )
    assert 'style="color: red;"' in out and 'style="margin: 0;"' in out
    assert ":hover" not in out and "::before" not in out and "@media (max-width:600px)" in out
    keys = {k for k, _ in features_used("<style>li:first-child{margin:0} a:hover{top:0}</style>")}
    assert "prop:margin" in keys and "prop:top" not in keys and "pseudo:first-child" not in keys


def test_features_used_reads_template_text_only(tmp_path: Path) -> None:
    # Values inserted by actions are not seen; actions never look like HTML or CSS.
    write(tmp_path, f"{RV}/email.body.gotmpl", '<p style="{{ .Style }}">{{ "<video>" }}</p><img src="{{ .Logo }}" alt="">')
    assert compat([str(tmp_path)], clients="all").keys() <= {"html-p", "html-img"}


def test_value_features_replace_the_property(tmp_path: Path) -> None:
    body = '<div style="display:grid"></div><div style="display:block"></div>'
    write(tmp_path, f"{RV}/email.body.gotmpl", body)
    found = compat([str(tmp_path)], clients="all")
    assert found["css-display-grid"].col == body.index("display") + 1
    assert found["css-display"].col == body.index("display:block") + 1


def test_a_piece_counted_once_counts_as_every_use_of_it() -> None:
    """check_compat reads each distinct tag and style sheet once per folder: the first counted use
    of each feature is where a scan of every use (features_used, the value rule) finds it."""
    from mailtemplates import gotmpl
    from mailtemplates.lint.compat import _counted, _index, _pieces
    from mailtemplates.lint.scan import masked

    index, funcs = _index(), gotmpl.funcmap("full")
    bodies = [*BUILTIN_ROOT.rglob("email.body*.gotmpl"), *REAL.rglob("email.body*.gotmpl")]
    assert len(bodies) > 60
    for path in bodies:
        for tree in gotmpl.parse_file(path.name, path.read_text(encoding="utf-8"), funcs).values():
            html = masked(tree)
            # The value rule over every use in the body at once, against it per piece.
            expected = dict(_counted(tuple(features_used(html)), index))
            got: dict[str, int] = {}
            for base, feats in _pieces(html):
                for slug, at in _counted(feats, index):
                    got.setdefault(slug, base + at)
            assert list(got.items()) == list(expected.items()), path


def test_one_diagnostic_per_feature_per_folder(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.body.gotmpl", '<div style="display:flex">Hi</div>')
    write(tmp_path, f"{RV}/email.body.de.gotmpl", '<div style="display:flex">Hallo</div>')
    d = compat([str(tmp_path)])["css-display-flex"]
    assert os.path.basename(d.file) == "email.body.gotmpl"
    assert d.message.endswith("(also used in 1 more file of this folder)")


def test_ignore_by_code_and_feature(capsys: pytest.CaptureFixture[str]) -> None:
    assert "css-display-flex" not in compat([str(REAL)], ignore=["css-display-flex"])
    assert {d.code for d in lint_paths([str(REAL)], ignore=["MT402"])} == {"MT401"}
    assert main([str(REAL), "--ignore", "MT401,MT402", "--ignore", "MT106"]) == 0
    assert capsys.readouterr().out.strip() == "no problems found"
    assert main([str(REAL), "--clients", "none", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["diagnostics"] == []


def test_builtins_report() -> None:
    # The built-ins are written for the common clients: no flexbox, grid, web fonts or variables.
    found = compat([str(BUILTIN_ROOT)])
    assert not {"css-display-flex", "css-display-grid", "css-at-font-face", "css-at-import", "css-variables"} & set(found)
    assert "css-at-media" in found and "css-at-media-prefers-color-scheme" in found
