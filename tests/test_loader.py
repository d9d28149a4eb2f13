"""The loader: Kratos layout, override-then-built-in resolution per part, siblings, URIs, safety."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from helpers import write

from mailtemplates.errors import InvalidName, TemplateSourceError
from mailtemplates.loader import Loader, read_uri


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    builtin = tmp_path / "builtin"
    override = tmp_path / "override"
    for part in ("email.subject", "email.body", "email.body.plaintext"):
        write(builtin, f"recovery/valid/{part}.gotmpl", f"builtin {part}")
        write(builtin, f"recovery/valid/{part}.de.gotmpl", f"builtin de {part}")
    write(builtin, "verifiable_address_changed/email.subject.gotmpl", "changed")
    override.mkdir()
    return builtin, override


def test_missing_override_falls_back_to_builtin(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    loader = Loader([override], builtin_root=builtin)
    src = loader.find(("recovery", "valid"), "subject", ())
    assert src is not None and src.origin == "builtin" and src.files == {"email.subject.gotmpl": "builtin email.subject"}
    assert src.funcs == "full"


def test_override_wins_per_part(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    write(override, "recovery/valid/email.body.gotmpl", "mine")
    loader = Loader([override], builtin_root=builtin)
    body = loader.find(("recovery", "valid"), "body", ())
    subject = loader.find(("recovery", "valid"), "subject", ())
    assert body is not None and body.origin == "override" and body.funcs == "hermetic"
    assert subject is not None and subject.origin == "builtin"


def test_first_override_root_wins(roots: tuple[Path, Path], tmp_path: Path) -> None:
    builtin, override = roots
    second = tmp_path / "second"
    write(second, "recovery/valid/email.subject.gotmpl", "second")
    write(override, "recovery/valid/email.subject.gotmpl", "first")
    src = Loader([override, second], builtin_root=builtin).find(("recovery", "valid"), "subject", ())
    assert src is not None and src.files["email.subject.gotmpl"] == "first"


def test_resolution_order_locale_chain_then_generic(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    loader = Loader([override], builtin_root=builtin)
    # built-in locale file before the built-in generic one
    src = loader.find(("recovery", "valid"), "subject", ("de_AT", "de"))
    assert src is not None and src.locale == "de" and src.origin == "builtin"
    # an override generic file beats a built-in translation (the operator's word wins)
    write(override, "recovery/valid/email.subject.gotmpl", "operator")
    src = loader.find(("recovery", "valid"), "subject", ("de_AT", "de"))
    assert src is not None and src.origin == "override" and src.locale is None
    # and an override locale file beats the override generic one
    write(override, "recovery/valid/email.subject.de_AT.gotmpl", "servus")
    src = loader.find(("recovery", "valid"), "subject", ("de_AT", "de"))
    assert src is not None and src.locale == "de_AT" and src.entry == "email.subject.de_AT.gotmpl"


def test_siblings_are_parsed_together_like_kratos(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    write(override, "recovery/valid/email.body.gotmpl", "{{ template \"email.body.de.gotmpl\" . }}")
    write(override, "recovery/valid/email.body.de.gotmpl", "Hallo")
    write(override, "recovery/valid/email.body.plaintext.gotmpl", "text")
    write(override, "recovery/valid/email.subject.gotmpl", "subject")
    body = Loader([override], builtin_root=builtin).find(("recovery", "valid"), "body", ())
    assert body is not None
    # Kratos's glob email.body* also matches the plaintext file (a documented pitfall).
    assert sorted(body.files) == ["email.body.de.gotmpl", "email.body.gotmpl", "email.body.plaintext.gotmpl"]
    text = Loader([override], builtin_root=builtin).find(("recovery", "valid"), "plaintext", ())
    assert text is not None and sorted(text.files) == ["email.body.plaintext.gotmpl"]


def test_notification_types_have_no_status_folder(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    src = Loader([override], builtin_root=builtin).find(("verifiable_address_changed",), "subject", ())
    assert src is not None and src.files["email.subject.gotmpl"] == "changed"


def test_jinja_file_is_a_native_template(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    write(override, "recovery/valid/email.body.jinja", "{{ RecoveryURL }}")
    src = Loader([override], builtin_root=builtin).find(("recovery", "valid"), "body", ())
    assert src is not None and src.engine == "jinja" and list(src.files) == ["email.body.jinja"]


@pytest.mark.parametrize("folder", [("..", "etc"), ("recovery", "../../x"), ("/abs",), ("a\\b",), ("x\x00",)])
def test_bad_folder_names_are_refused(roots: tuple[Path, Path], folder: tuple[str, ...]) -> None:
    builtin, override = roots
    with pytest.raises(InvalidName):
        Loader([override], builtin_root=builtin).find(folder, "subject", ())


@pytest.mark.parametrize("locale", ["../de", "de/../../x", "de\x00", "C:\\x", "de de", "x" * 40])
def test_bad_locales_are_refused(roots: tuple[Path, Path], locale: str) -> None:
    builtin, override = roots
    with pytest.raises(InvalidName):
        Loader([override], builtin_root=builtin).find(("recovery", "valid"), "subject", (locale,))


def test_unknown_part_is_refused(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    with pytest.raises(InvalidName, match="unknown template part"):
        Loader([override], builtin_root=builtin).find(("recovery", "valid"), "../secret", ())


def test_symlink_out_of_root_is_refused(roots: tuple[Path, Path], tmp_path: Path) -> None:
    builtin, override = roots
    secret = write(tmp_path, "secret.txt", "TOP SECRET")
    (override / "recovery" / "valid").mkdir(parents=True)
    os.symlink(secret, override / "recovery" / "valid" / "email.subject.gotmpl")
    with pytest.raises(InvalidName, match="outside its template root"):
        Loader([override], builtin_root=builtin).find(("recovery", "valid"), "subject", ())


def test_a_directory_in_place_of_a_part_is_an_error_not_a_fallback(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    (override / "recovery" / "valid" / "email.body.gotmpl").mkdir(parents=True)
    loader = Loader([override], builtin_root=builtin)
    with pytest.raises(TemplateSourceError) as info:
        loader.find(("recovery", "valid"), "body", ())
    assert str(info.value) == f"{override}/recovery/valid/email.body.gotmpl: is a directory, not a template file"
    # The other parts still come from the built-ins.
    src = loader.find(("recovery", "valid"), "subject", ())
    assert src is not None and src.origin == "builtin"


def test_a_directory_among_the_siblings_is_an_error(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    write(override, "recovery/valid/email.body.gotmpl", "<p>Hi</p>")
    (override / "recovery" / "valid" / "email.body.old").mkdir()
    with pytest.raises(TemplateSourceError) as info:
        Loader([override], builtin_root=builtin).find(("recovery", "valid"), "body", ())
    assert str(info.value) == (
        f"{override}/recovery/valid/email.body.old: is a directory, not a template file "
        "(it matches email.body* and would be parsed with email.body.gotmpl)"
    )


def test_a_broken_symlink_in_place_of_a_part_is_an_error(roots: tuple[Path, Path], tmp_path: Path) -> None:
    builtin, override = roots
    folder = override / "recovery" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").symlink_to(tmp_path / "gone.gotmpl")
    with pytest.raises(TemplateSourceError) as info:
        Loader([override], builtin_root=builtin).find(("recovery", "valid"), "subject", ())
    assert str(info.value) == (
        f"{folder}/email.subject.gotmpl: is a broken symbolic link (its target "
        f"{str(tmp_path / 'gone.gotmpl')!r} does not exist)"
    )


def test_not_found_names_every_path_searched(tmp_path: Path) -> None:
    loader = Loader([tmp_path / "o"], builtin_root=tmp_path / "b")
    assert loader.find(("recovery", "valid"), "subject", ("de",)) is None
    msg = str(loader.not_found(("recovery", "valid"), "subject", ("de",)))
    assert "email.subject.de.gotmpl" in msg and str(tmp_path / "o") in msg and str(tmp_path / "b") in msg


def test_uri_part_bypasses_roots(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    uri = "base64://" + base64.b64encode(b"from uri {{ .To }}").decode()
    loader = Loader([override], builtin_root=builtin, uris={"recovery/valid": {"subject": uri}})
    src = loader.find(("recovery", "valid"), "subject", ())
    assert src is not None and src.origin == "uri" and src.path == "base64://[redacted]"
    assert src.files == {"email.subject.gotmpl": "from uri {{ .To }}"}
    body = loader.find(("recovery", "valid"), "body", ())
    assert body is not None and body.origin == "builtin"


def test_read_uri_schemes(tmp_path: Path) -> None:
    write(tmp_path, "t.gotmpl", "file text")
    assert read_uri(f"file://{tmp_path}/t.gotmpl", file_roots=[str(tmp_path)]) == "file text"
    with pytest.raises(TemplateSourceError, match="inside a configured template root"):
        read_uri(f"file://{tmp_path}/t.gotmpl", file_roots=[str(tmp_path / "elsewhere")])
    with pytest.raises(TemplateSourceError, match="base64"):
        read_uri("base64://not*base64")
    with pytest.raises(TemplateSourceError, match="disabled"):
        read_uri("https://example.com/t.gotmpl")
    with pytest.raises(TemplateSourceError, match="unknown scheme 'ftp'"):
        read_uri("ftp://example.com/t")
    big = "base64://" + base64.b64encode(b"x" * 2000).decode()
    with pytest.raises(TemplateSourceError, match="size limit"):
        read_uri(big, max_bytes=1000)


def test_stamp_changes_when_a_file_appears(roots: tuple[Path, Path]) -> None:
    builtin, override = roots
    loader = Loader([override], builtin_root=builtin)
    before = loader.stamp(("recovery", "valid"), "subject", ())
    write(override, "recovery/valid/email.subject.gotmpl", "new")
    assert loader.stamp(("recovery", "valid"), "subject", ()) != before
