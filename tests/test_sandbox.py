"""The sandbox: Go templates reach data, never Python code.

Go's templates call methods and function-valued fields; ours never do (a deliberate difference,
docs/context.md): a template reads dict keys and the instance data of objects, and runs only the
functions registered in its function map. Every test here records whether any code of the data
ran. Native Jinja templates run in Jinja's immutable sandbox.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest

from mailtemplates import gotmpl
from mailtemplates.errors import TemplateExecError
from mailtemplates.jinja import compile_jinja

# The limits hold in both execution tiers (tests/test_interp.py).
pytestmark = pytest.mark.usefixtures("each_tier")

RAN: list[str] = []


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def ran(what: str) -> Any:
    def record(*_: Any, **__: Any) -> str:
        RAN.append(what)
        return "ran"

    return record


class Tricky:
    """Instance data plus every kind of code a template might be tricked into running."""

    Shadowed = "a class attribute, not instance data"

    def __init__(self, v: int = 1) -> None:
        self.Name = "ada"
        self.V = v
        self._secret = "s3cret"
        self.Callback = ran("Callback")

    def Method(self) -> str:
        RAN.append("Method")
        return "M"

    @property
    def Prop(self) -> str:
        RAN.append("Prop")
        return "P"

    def __eq__(self, other: object) -> bool:
        RAN.append("__eq__")
        return True

    def __hash__(self) -> int:
        RAN.append("__hash__")
        return 1

    def __lt__(self, other: object) -> bool:
        RAN.append("__lt__")
        return True

    def __str__(self) -> str:
        RAN.append("__str__")
        return "STR"

    def __repr__(self) -> str:
        RAN.append("__repr__")
        return "REPR"

    def __format__(self, spec: str) -> str:
        RAN.append("__format__")
        return "FMT"

    def __len__(self) -> int:
        RAN.append("__len__")
        return 3

    def __iter__(self) -> Any:
        RAN.append("__iter__")
        return iter([1, 2, 3])

    def __bool__(self) -> bool:
        RAN.append("__bool__")
        return False

    def __getitem__(self, key: object) -> object:
        RAN.append("__getitem__")
        return "item"

    def __contains__(self, key: object) -> bool:
        RAN.append("__contains__")
        return True

    def __int__(self) -> int:
        RAN.append("__int__")
        return 7

    def __float__(self) -> float:
        RAN.append("__float__")
        return 7.0

    def __index__(self) -> int:
        RAN.append("__index__")
        return 0


@dataclass
class Model:
    Name: str
    Hook: Any = None
    Items: list[Any] = field(default_factory=list)

    def Method(self) -> str:
        RAN.append("Model.Method")
        return "M"

    @property
    def Prop(self) -> str:
        RAN.append("Model.Prop")
        return "P"


def run(src: str, data: Any, *, html: bool = False) -> str:
    return gotmpl.parse_files({"m": src}, html=html).execute("m", data)


def refused(src: str, data: Any, *, html: bool = False) -> str:
    with pytest.raises(TemplateExecError) as info:
        run(src, data, html=html)
    return info.value.message


# -- fields: data only -------------------------------------------------------------------------


def test_instance_data_is_readable() -> None:
    assert run("{{ .Name }} {{ .V }}", Tricky()) == "ada 1"
    assert run("{{ .Name }}", Model("grace")) == "grace"
    assert RAN == []


@pytest.mark.parametrize(
    "name",
    ["Method", "Prop", "Shadowed", "_secret", "Callback", "__class__", "__dict__", "__init__", "__module__"],
)
def test_methods_properties_class_attributes_private_and_dunder_names_are_not_fields(name: str) -> None:
    assert refused(f"{{{{ .{name} }}}}", Tricky()) == (
        f'executing "m" at <.{name}>: can\'t evaluate field {name} in type *Tricky'
    )
    assert RAN == []


@pytest.mark.parametrize("name", ["Method", "Prop", "__class__", "__dataclass_fields__"])
def test_dataclass_methods_and_properties_are_not_fields(name: str) -> None:
    assert refused(f"{{{{ .{name} }}}}", Model("x")) == (
        f'executing "m" at <.{name}>: can\'t evaluate field {name} in type *Model'
    )
    assert RAN == []


def test_a_field_shadowed_by_a_property_is_never_run() -> None:
    @dataclass
    class Shadow:
        Name: str = "x"

    Shadow.Name = property(ran("Shadow.Name"))  # type: ignore[assignment]
    obj = Shadow.__new__(Shadow)
    obj.__dict__["Name"] = "instance value"
    assert refused("{{ .Name }}", obj).endswith("can't evaluate field Name in type *Shadow")
    assert RAN == []


def test_classes_that_override_attribute_access_expose_nothing() -> None:
    class Proxy:
        def __init__(self) -> None:
            self.Name = "n"

        def __getattribute__(self, name: str) -> Any:
            RAN.append(f"__getattribute__({name})")
            return object.__getattribute__(self, name)

    class Lazy:
        __slots__ = ("Name",)

        def __init__(self) -> None:
            self.Name = "n"

        def __getattr__(self, name: str) -> Any:
            RAN.append(f"__getattr__({name})")
            return "made up"

    assert refused("{{ .Name }}", Proxy()).endswith("can't evaluate field Name in type *Proxy")
    # Python's isinstance() itself asks an object for __class__ (for proxies): the only lookup.
    assert set(RAN) <= {"__getattribute__(__class__)"}
    RAN.clear()
    assert refused("{{ .Name }}", Lazy()).endswith("can't evaluate field Name in type *Lazy")
    assert refused("{{ .Other }}", Lazy()).endswith("can't evaluate field Other in type *Lazy")
    assert RAN == []


def test_slots_are_read_without_running_code() -> None:
    class Slotted:
        __slots__ = ("Name", "Unset")

        def __init__(self) -> None:
            self.Name = "slot value"

    assert run("{{ .Name }}", Slotted()) == "slot value"
    assert refused("{{ .Unset }}", Slotted()).endswith("can't evaluate field Unset in type *Slotted")


@pytest.mark.parametrize(
    "src",
    [
        "{{ .__class__.__init__.__globals__ }}",
        "{{ .Name.__class__ }}",
        "{{ .Hook.__globals__ }}",
        "{{ .Hook.__code__ }}",
        "{{ (index .Items 0).__class__ }}",
        "{{ $.__class__.__base__.__subclasses__ }}",
    ],
)
def test_escape_chains_through_dunders_end_at_the_first_step(src: str) -> None:
    data = Model("n", Hook=os.getcwd, Items=[Tricky()])
    msg = refused(src, data)
    assert "can't evaluate field __" in msg or "__class__" in msg
    assert RAN == []


# -- callables in data are never called --------------------------------------------------------


def test_callables_in_maps_and_fields_are_values_not_functions() -> None:
    data = {"f": ran("f"), "m": Model("n", Hook=ran("Hook"))}
    assert run("{{ if .f }}set{{ end }}", data) == "set"
    run("{{ .f }}{{ .m.Hook }}", data)  # printed as Go prints a func value, never called
    # Go's call builtin refuses what is not a Go func: a Python callable never is one.
    assert refused("{{ call .f }}", data) == (
        'executing "m" at <call .f>: error calling call: non-function .f of type *function'
    )
    assert refused("{{ call .m.Hook 1 2 }}", data) == (
        'executing "m" at <call .m.Hook 1 2>: error calling call: non-function .m.Hook of type *function'
    )
    assert refused("{{ .f | call }}", data) == (
        'executing "m" at <call>: error calling call: non-function <*function Value> of type *function'
    )
    assert refused("{{ .f 1 }}", data) == 'executing "m" at <.f>: f is not a method but has arguments'
    assert RAN == []


def test_a_callable_instance_attribute_is_not_a_field() -> None:
    assert refused("{{ .Callback }}", Tricky()).endswith("can't evaluate field Callback in type *Tricky")
    assert RAN == []


# -- no dunder method of the data runs, whatever the function or escaper -------------------------

FUNCTIONS = [
    "{{ .A }}",
    '{{ printf "%v %+v %s %d %q %x %T" .A .A .A .A .A .A .A }}',
    "{{ print .A .B }}{{ println .A }}",
    "{{ eq .A .B }} {{ ne .A .B }}",
    "{{ if .A }}t{{ end }}{{ not .A }}{{ and .A 1 }}{{ or .A 1 }}",
    "{{ html .A }}{{ js .A }}{{ urlquery .A }}",
    "{{ list .A .B | uniq }}",
    "{{ has .A .L }}{{ without .L .A }}",
    "{{ deepEqual .A .B }}",
    "{{ index .L 1 }}{{ slice .L 0 1 }}{{ first .L }}{{ last .L }}{{ reverse .L }}",
    "{{ toJson .L }}{{ toPrettyJson .A }}{{ toRawJson .A }}",
    "{{ toString .A }}{{ toStrings .L }}{{ cat .A .B }}{{ quote .A }}{{ squote .A }}",
    "{{ default 1 .A }}{{ empty .A }}{{ coalesce .A }}",
    '{{ kindOf .A }}{{ typeOf .A }}{{ kindIs "ptr" .A }}',
    '{{ dict "a" .A | values }}{{ keys .M }}{{ pluck "k" .M }}',
    '{{ compact .L }}{{ concat .L .L }}{{ join "," .L }}',
]
REFUSALS = [
    "{{ len .A }}",
    "{{ range .A }}{{ end }}",
    "{{ lt .A .B }}",
    "{{ atoi .A }}",
    "{{ int .A }}",
    "{{ float64 .A }}",
    "{{ sortAlpha .L }}",
    "{{ ternary 1 2 .A }}",
]


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize("src", FUNCTIONS + REFUSALS)
def test_no_code_of_the_data_runs(src: str, html: bool) -> None:
    a, b = Tricky(1), Tricky(2)
    data = {"A": a, "B": b, "L": [a, b], "M": {"k": a}}
    try:
        run(src, data, html=html)
    except TemplateExecError:
        assert src in REFUSALS
    assert RAN == []


@pytest.mark.parametrize(
    "src",
    [
        "<a href='{{ .A }}'>",
        "<script>var x = {{ .A }};</script>",
        "<style>{{ .A }}</style>",
        "<p title={{ .A }}>",
    ],
)
def test_no_code_of_the_data_runs_in_any_html_context(src: str) -> None:
    run(src, {"A": Tricky()}, html=True)
    assert RAN == []


def test_deep_copy_runs_no_code_of_the_data() -> None:
    class Copied:
        def __init__(self) -> None:
            self.V = 1

        def __deepcopy__(self, memo: Any) -> Any:
            RAN.append("__deepcopy__")
            return self

    run("{{ deepCopy .A }}", {"A": Copied()})
    assert RAN == []


# -- only registered functions run ------------------------------------------------------------


def test_only_functions_of_the_function_map_can_be_called() -> None:
    with pytest.raises(gotmpl.TemplateSyntaxError) as info:
        run('{{ getattr . "Name" }}', Tricky())
    assert info.value.go_message == 'template: m:1: function "getattr" not defined'
    with pytest.raises(gotmpl.TemplateSyntaxError) as info:
        run('{{ env "HOME" }}', {})  # sprig's env is not in the hermetic map Kratos uses
    assert info.value.go_message == 'template: m:1: function "env" not defined'


# -- Jinja templates: Jinja's immutable sandbox ---------------------------------------------------


def jinja(src: str, data: Any) -> str:
    return compile_jinja(src, "t/email.body.jinja", html=True)(data)


@pytest.mark.parametrize(
    "src",
    [
        "{{ S.__class__ }}",
        "{{ S.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__.__globals__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ S|attr('__class__') }}",
        "{{ '{0.__class__}'.format(S) }}",
    ],
)
def test_jinja_dunder_chains_lead_nowhere(src: str) -> None:
    # Strict (the default): the sandbox's refusal is an error naming the attribute; relaxed, the
    # refused attribute is an undefined value that prints as nothing.
    with pytest.raises(TemplateExecError, match="is unsafe"):
        jinja(src, {"S": "abc"})
    assert compile_jinja(src, "t/email.body.jinja", html=True, strict=False)({"S": "abc"}) == ""


@pytest.mark.parametrize(
    ("src", "unsafe"),
    [
        (
            "{{ ''.__class__.__mro__[1].__subclasses__() }}",
            "access to attribute '__class__' of 'str' object is unsafe.",
        ),
        ("{{ D.clear() }}", "access to attribute 'clear' of 'dict' object is unsafe."),
        ("{{ D.update({'x': 1}) }}", "access to attribute 'update' of 'dict' object is unsafe."),
        ("{{ L.append(3) }}", "access to attribute 'append' of 'list' object is unsafe."),
        ("{{ L.pop() }}", "access to attribute 'pop' of 'list' object is unsafe."),
    ],
)
def test_jinja_refuses_unsafe_calls(src: str, unsafe: str) -> None:
    data = {"D": {"a": 1}, "L": [1, 2]}
    with pytest.raises(TemplateExecError) as info:
        jinja(src, data)
    assert str(info.value) == f"t/email.body.jinja:1: {unsafe}\n    {src}"
    assert data == {"D": {"a": 1}, "L": [1, 2]}


def test_jinja_range_bomb_is_a_template_error() -> None:
    with pytest.raises(TemplateExecError):
        jinja("{{ range(1000000000) | list | length }}", {})


# -- method calls with arguments: only the function library's own values ------------------------


@pytest.mark.parametrize(
    "src", ["{{ .Method 1 }}", "{{ .Method }}", '{{ "x" | .Method }}', "{{ .Callback 1 }}"]
)
def test_method_calls_with_arguments_never_run_code_of_the_data(src: str) -> None:
    refused(src, Tricky())
    refused(src, Model("x", Hook=ran("Hook")))
    assert RAN == []


def test_a_subclass_of_a_library_type_gets_no_methods() -> None:
    # Methods are looked up by the exact type of the library's values (funcs.METHODS), so data
    # of the caller's own class, even one derived from the library's time type, has none.
    from mailtemplates.gotmpl.funcs.sprig_semver import Version
    from mailtemplates.gotmpl.values import GoTime

    class MyTime(GoTime):
        def Year(self) -> int:
            RAN.append("MyTime.Year")
            return 1

    class MyVersion(Version):
        pass

    import datetime as dt

    t = MyTime(dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc))
    assert "can't evaluate field Year" in refused("{{ .T.Year }}", {"T": t})
    assert "can't evaluate field Year" in refused("{{ .T.Year 1 }}", {"T": t})
    v = MyVersion(1, 2, 3, "", "", "1.2.3")
    assert "can't evaluate field Compare" in refused("{{ .V.Compare .V }}", {"V": v})
    assert RAN == []


def test_library_values_have_their_go_methods() -> None:
    assert (
        run('{{ (toDate "2006-01-02" "2024-03-15").AddDate 0 1 0 }}', None) == "2024-04-15 00:00:00 +0000 UTC"
    )
    assert run('{{ (semver "1.2.3").LessThan (semver "1.10.0") }}', None) == "true"
