"""One error tree (issue 16): every MailTemplateError subclass anywhere in the package is defined
in mailtemplates.errors, exported from mailtemplates and mailtemplates.errors, and drawn in the
errors module's docstring under its real parent; the old homes still re-export the names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import mailtemplates
from mailtemplates import errors


def every_module() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(mailtemplates.__path__, "mailtemplates."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # importing it would run the program
        names.append(info.name)
    return names


def subclasses_in_package() -> dict[str, type]:
    found: dict[str, type] = {}
    for name in every_module():
        try:
            module = importlib.import_module(name)
        except ImportError as e:
            # Only an optional dependency may be missing (psycopg for the courier's PostgreSQL store).
            assert e.name and not e.name.startswith("mailtemplates"), e
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, errors.MailTemplateError):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def drawn_tree() -> dict[str, str | None]:
    """Class name -> parent name, as the docstring draws it."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        m = re.match(r"^(\s*)((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+)\s{2,}", line)
        if (
            m is None
            or not line.strip()
            or ("──" not in line and not line.strip().startswith("MailTemplateError"))
        ):
            continue
        depth = len(m.group(2)) // 4 + (1 if "──" in line else 0)
        name = m.group(3)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_every_package_error_is_defined_in_errors() -> None:
    outside = [q for q, cls in subclasses_in_package().items() if cls.__module__ != "mailtemplates.errors"]
    assert not outside, f"MailTemplateError subclasses defined outside mailtemplates.errors: {outside}"


def test_every_error_is_exported_and_drawn_under_its_parent() -> None:
    classes = {
        n: c
        for n, c in vars(errors).items()
        if inspect.isclass(c) and issubclass(c, errors.MailTemplateError)
    }
    tree = drawn_tree()
    assert set(tree) == set(classes), f"drawn {sorted(tree)} vs defined {sorted(classes)}"
    for name, cls in classes.items():
        assert name in errors.__all__ and name in mailtemplates.__all__, name
        assert getattr(mailtemplates, name) is cls
        parent = cls.__bases__[0]
        want = None if cls is errors.MailTemplateError else parent.__name__
        assert tree[name] == want, f"{name} is drawn under {tree[name]}, its parent is {want}"


def test_old_homes_still_export_the_names() -> None:
    from mailtemplates import cli, smtp
    from mailtemplates.preview import app, context

    assert cli.CLIError is errors.CLIError
    assert smtp.SMTPSendError is errors.SMTPSendError
    assert app.PreviewError is errors.PreviewError
    assert context.ContextFileError is errors.ContextFileError


def test_send_errors_say_whether_a_retry_can_help() -> None:
    import pickle

    assert errors.SMTPSendError("x", stage="data", code=550).permanent
    assert not errors.SMTPSendError("x", stage="data", code=451).permanent
    assert not errors.SMTPSendError("x", stage="connect").permanent
    assert [errors.HTTPSendError("x", status=s).permanent for s in (400, 404, 408, 429, 500, None)] == [
        True, True, False, False, False, False,
    ]  # fmt: skip
    e = pickle.loads(pickle.dumps(errors.HTTPSendError("refused", status=400)))
    assert (str(e), e.status, e.permanent) == ("refused", 400, True)
    e2 = pickle.loads(pickle.dumps(errors.SMTPSendError("no", stage="rcpt", code=550, text="5.1.1")))
    assert (str(e2), e2.stage, e2.code, e2.text) == ("no", "rcpt", 550, "5.1.1")
