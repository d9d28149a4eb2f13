"""Write the sprig probe cases (conformance case format, without ``expect``).

The expected results are never written by hand: after running this script, fill them in with
the Go oracle (real Go 1.26 + sprig 3.2.3)::

    python tests/sprig_cases/make_cases.py
    /tmp/oracle/oracle -fill tests/sprig_cases/*/*.json

The oracle builds with sprig 3.2.3's dependencies; cases with ``origin: "kratos-deps"`` hold the
answer of the versions Kratos pins instead (see tests/test_sprig.py): after a re-fill, put back
their ``expect`` (it is the oracle's that ``oracle_expect`` keeps).

Only deterministic templates are listed (random and clock-based functions are probed through
properties such as lengths), and none produces invalid UTF-8 (the oracle refuses that).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

GROUPS: dict[str, list[dict[str, Any]]] = {}


def case(
    group: str,
    desc: str,
    tpl: str,
    data: Any = None,
    ints: tuple[str, ...] = (),
    funcs: str = "hermetic",
    engine: str = "text",
) -> None:
    c: dict[str, Any] = {
        "description": desc,
        "origin": "oracle",
        "engine": engine,
        "funcs": funcs,
        "files": {"main.gotmpl": tpl},
        "entry": "main.gotmpl",
    }
    if data is not None:
        c["data"] = data
    if ints:
        c["int_paths"] = list(ints)
    GROUPS.setdefault(group, []).append(c)


# -- strings ------------------------------------------------------------------------------------
S = "strings"
case(
    S,
    "upper/lower/title use Go's simple case mapping",
    '{{ upper "straße ǆ ᾳ ŉ" }}|{{ lower "İSTANBUL ΟΔΟΣ" }}|{{ title "hello wörld ǆemal o\'neil_x 3rd" }}',
)
case(S, "untitle and swapcase", '{{ untitle "Hello World  ÀB" }}|{{ swapcase "Hello wORLD ǅx" }}')
case(
    S,
    "more case mappings",
    '{{ title "ÿ 1st-place x_y a.b ﬁx ǳ" }}|{{ upper "ﬁ ǳ ß ΐ ſ ı" }}|{{ lower "ǲ Ω K ẞ" }}|{{ swapcase "ǅ ǆ ß Σς 𝐀" }}',
)
case(
    S,
    "snakecase word splitting",
    '{{ snakecase "HTTPServerError" }}|{{ snakecase "userID2FA" }}|{{ snakecase "hello_World-foo bar" }}|'
    '{{ snakecase "already_snake" }}|{{ snakecase "A1B2" }}|{{ snakecase "ABC" }}|{{ snakecase "a.b" }}|{{ snakecase "__x__" }}',
)
case(
    S,
    "snakecase unicode and digits",
    '{{ snakecase "ÀÉÎ Õü" }}|{{ snakecase "日本語Text" }}|{{ snakecase "a1b2C3" }}|{{ snakecase "1A" }}|{{ snakecase "ID" }}|'
    '{{ snakecase "a--b" }}|{{ snakecase "--a" }}|{{ snakecase "a!!b" }}|{{ snakecase "A B C" }}|{{ snakecase "abcDEFghi" }}|'
    '{{ snakecase "ABCdef" }}|{{ snakecase "x 2 y" }}|{{ snakecase "v2Beta" }}|{{ snakecase "ab12CD" }}|{{ snakecase "12ab" }}|{{ snakecase "€uro" }}',
)
case(
    S,
    "kebabcase",
    '{{ kebabcase "HTTPServerError" }}|{{ kebabcase "FooBar123Baz" }}|{{ kebabcase "123abc" }}|{{ kebabcase "x 1 y" }}|'
    '{{ kebabcase "Ünïcode Wörds" }}|{{ kebabcase "HelloWorld_Foo" }}|{{ kebabcase "a b-c_d" }}|{{ kebabcase "ÀbcDé" }}',
)
case(
    S,
    "camelcase",
    '{{ camelcase "hello_world" }}|{{ camelcase "_leading" }}|{{ camelcase "__" }}|{{ camelcase "a" }}|{{ camelcase "foo-bar baz" }}|'
    '{{ camelcase "HELLO_WORLD" }}|{{ camelcase "x__y" }}|{{ camelcase "日本_語" }}|{{ camelcase "ab_12cd" }}|{{ camelcase "_" }}|'
    '{{ camelcase " x" }}|{{ camelcase "a_" }}|{{ camelcase "aB_cD" }}|{{ camelcase "ß_ß" }}',
)
case(
    S,
    "nospace and initials work on bytes",
    '{{ nospace "héllo wörld" }}|{{ nospace "àb c" }}|{{ nospace "noSpace" }}|{{ initials "élan vital" }}|{{ initials "  a  b " }}',
)
case(
    S,
    "abbrev and abbrevboth",
    '{{ abbrev 4 "héllo world" }}|{{ abbrev 3 "hello" }}|{{ abbrev 10 "" }}|{{ abbrevboth 0 6 "abcdefghijkl" }}|'
    '{{ abbrevboth 10 7 "abcdefghijklmnopqrstuvwxyz" }}|{{ abbrevboth 5 6 "abcdefghijklmnop" }}|{{ abbrevboth 20 10 "abcdefghijklmnopqrstuvwxyz" }}',
)
case(
    S,
    "byte-level cuts of multi-byte text",
    '{{ abbrev 5 "日本語です" | quote }}|{{ abbrevboth 5 8 "日本語ですよね" | quote }}|{{ trunc 4 "日本" | quote }}|{{ substr 1 4 "日本" | quote }}|{{ wrap 4 "日本 語" | quote }}',
)
case(
    S,
    "wrap and wrapWith",
    '{{ wrap 5 "The quick brown fox jumps" }}|{{ wrapWith 5 "<br>" "The quick brown fox" }}|{{ wrap 3 "abcdefgh ij" }}|'
    '{{ wrapWith 3 "\\n" "abcdefgh ij" }}|{{ wrap 0 "a b" }}|{{ wrap 10 "  lead spaces here and there" }}',
)
case(
    S,
    "wrap corner cases",
    '{{ wrap 4 "ab cd ef gh" }}|{{ wrapWith 4 "|" "abcdefghij" }}|{{ wrapWith 4 "" "ab" }}|{{ wrap 5 "a     b" }}|{{ wrap 2 "   " }}|{{ wrap 1 "a b c" }}',
)
for tpl in [
    '{{ substr 2 1 "hello" }}',
    '{{ substr -1 10 "hello" }}',
    '{{ substr -1 -2 "hello" }}',
    '{{ substr 7 -1 "hello" }}',
    '{{ substr 7 9 "hello" }}',
    '{{ substr -5 3 "hello" }}',
]:
    case(S, "substr bounds", tpl)
case(S, "repeat negative panics", '{{ repeat -1 "x" }}')
case(S, "repeat zero and empty", '{{ repeat 0 "x" }}|{{ repeat 2 "" }}')
case(
    S,
    "trimAll and trim with unicode",
    '{{ trimAll "aé" "éaxyzaé" }}|{{ trim "\\u00a0 x \\u2003" }}|{{ trimall "-" "--a--" }}',
)
case(
    S,
    "quote squote cat on all kinds of values",
    '{{ quote "tab\\there" "é" "\\u00a0" "\\u200b" "\\x7f" 3.5 true (list 1 "a") }}|{{ squote nil "a" 1 }}|{{ quote }}|'
    '{{ cat "a" nil 1 2.5 (list 1 2) (dict "k" "v") }}|{{ cat }}',
)
case(S, "indent and nindent", '{{ indent 2 "a\\nb\\n" }}|{{ nindent 0 "x" }}')
case(S, "indent negative panics", '{{ indent -1 "x" }}')
case(
    S,
    "replace with empty old",
    '{{ replace "" "-" "abc" }}|{{ replace "é" "e" "été" }}|{{ contains "" "abc" }}|{{ hasPrefix "" "" }}|{{ hasSuffix "c" "abc" }}|{{ plural "a" "b" -1 }}',
)
case(
    S,
    "invalid UTF-8 from trunc through other functions",
    '{{ upper (trunc 1 "é") }}|{{ lower (trunc 1 "éa") }}|{{ title (trunc 1 "éa") }}|{{ snakecase (trunc 1 "éaB") | quote }}|'
    '{{ camelcase (trunc 1 "é_a") }}|{{ kebabcase (trunc 3 "aéé") | quote }}|{{ toJson (trunc 1 "é") }}|{{ quote (trunc 1 "é") }}|{{ len (trunc 1 "é") }}',
)
case(
    S,
    "invalid UTF-8 through more functions",
    '{{ initials (trunc 1 "é") }}|{{ swapcase (trunc 1 "é") }}|{{ untitle (trunc 1 "é") }}|{{ trimAll "\\ufffd" (trunc 1 "é") | quote }}|'
    '{{ trim (trunc 1 "é") | quote }}|{{ regexFind "." (trunc 1 "é") | quote }}|{{ b64enc (trunc 1 "é") }}|{{ sha1sum (trunc 1 "é") }}|'
    '{{ replace (trunc 1 "é") "x" "éé" | len }}|{{ squote (trunc 1 "é") | quote }}|{{ regexReplaceAll "" (trunc 1 "é") "-" | quote }}|'
    '{{ regexFindAll "" (trunc 1 "éa") -1 | len }}',
)
case(
    S,
    "substring tests see bytes",
    '{{ trimAll (trunc 1 "é") (printf "%s%s" (trunc 1 "é") "x") }}|{{ regexMatch "^.$" (trunc 1 "é") }}|{{ regexMatch "\\\\xc3" (trunc 1 "é") }}|'
    '{{ contains (trunc 1 "é") "é" }}|{{ hasPrefix (trunc 1 "é") "é" }}|{{ splitList (trunc 1 "é") "aéb" | len }}',
)
case(
    S,
    "split, splitList, splitn",
    '{{ split "" "abc" }}|{{ splitList "" "héllo" }}|{{ splitn "," 0 "a,b" }}|{{ splitn "," -1 "a,b,c" }}|{{ splitn "" 2 "abc" }}|{{ splitList "," "" }}',
)
case(
    S,
    "seq",
    "{{ seq 0 }}|{{ seq -3 }}|{{ seq 5 2 }}|{{ seq 1 0 }}|{{ seq 10 -3 1 }}|{{ seq 1 2 3 4 }}|{{ seq }}|{{ seq 2 0 5 }}|{{ seq 5 -2 1 }}",
)
case(
    S,
    "until and untilStep",
    "{{ until -3 }}|{{ untilStep 10 0 -3 }}|{{ untilStep 0 10 0 }}|{{ untilStep 5 5 1 }}|{{ typeOf (until 2) }}",
)

# -- conversions --------------------------------------------------------------------------------
C = "conv"
case(
    C,
    "toString uses fmt.Sprint",
    '{{ toString nil }}|{{ toString 1 }}|{{ toString (list 1 nil) }}|{{ toString (dict "a" nil) }}|{{ toString true }}|{{ toString 1e21 }}|{{ toString .F }}',
    {"F": 0.000001},
)
case(
    C,
    "toStrings",
    '{{ toStrings nil }}|{{ toStrings "x" }}|{{ toStrings (list nil 1 "a") }}|{{ toStrings 5 }}|{{ toStrings .L }}',
    {"L": [1.5, None, "x", True]},
)
case(
    C,
    "atoi",
    '{{ atoi "42" }}|{{ atoi "-7" }}|{{ atoi "+3" }}|{{ atoi "4.2" }}|{{ atoi "" }}|{{ atoi "99999999999999999999" }}|'
    '{{ atoi "-99999999999999999999" }}|{{ atoi "1_000" }}|{{ atoi " 1" }}|{{ atoi "0x10" }}|{{ atoi "-" }}',
)
case(
    C,
    "int parses Go literals",
    '{{ int "0x1F" }}|{{ int "0b101" }}|{{ int "0o17" }}|{{ int "017" }}|{{ int "1_000" }}|{{ int "_1" }}|{{ int "3.00" }}|'
    '{{ int "3.50" }}|{{ int true }}|{{ int nil }}|{{ int .F }}|{{ int .N }}|{{ int "99999999999999999999" }}',
    {"F": -3.9, "N": 1e30},
)
case(
    C,
    "int64 and float64",
    '{{ int64 "12" }}|{{ int64 2.5 }}|{{ float64 "1_000.5" }}|{{ float64 "0x1p-2" }}|{{ float64 "inf" }}|{{ float64 "-Infinity" }}|'
    '{{ float64 "nan" }}|{{ float64 "1e400" }}|{{ float64 ".5" }}|{{ float64 "5." }}|{{ float64 "+nan" }}|{{ float64 "1__0" }}|'
    '{{ float64 "infinit" }}|{{ float64 true }}|{{ float64 "0x1.8" }}',
)
case(
    C,
    "toDecimal parses octal",
    '{{ toDecimal "777" }}|{{ toDecimal 777 }}|{{ toDecimal "0o7" }}|{{ toDecimal "8" }}|{{ toDecimal 7.0 }}|{{ toDecimal "-10" }}|{{ toDecimal "1_0" }}',
)
case(
    C,
    "results are Go ints of the right type",
    '{{ add1 .I | typeOf }}|{{ len (list 1 2) | add1 }}|{{ int 3 | typeOf }}|{{ atoi "3" | typeOf }}|{{ float64 1 | typeOf }}|{{ mul .I 2 | plural "one" "many" }}|'
    '{{ plural "a" "b" (int .F) }}|{{ trunc (int64 2 | int) "abc" }}|{{ typeOf (mul 2 3 | int) }}|{{ eq (add 1 1) (int64 2) }}',
    {"F": 2.0, "I": 3},
    ("I",),
)
case(C, "an int64 is not an int", "{{ eq (add 1 1) 2 }}")
case(
    C,
    "typeOf",
    '{{ typeOf nil }}|{{ typeOf 1 }}|{{ typeOf .F }}|{{ typeOf .L }}|{{ typeOf .M }}|{{ typeOf (int64 1) }}|{{ typeOf (splitList "" "") }}|'
    '{{ typeOf (split "," "a") }}|{{ typeOf (toDate "2006" "2020") }}|{{ typeOf (semver "1.0.0") }}',
    {"F": 1.5, "L": [], "M": {}},
)
case(
    C,
    "kindOf",
    '{{ kindOf nil }}|{{ kindOf 1 }}|{{ kindOf .F }}|{{ kindOf .L }}|{{ kindOf .M }}|{{ kindOf (int64 1) }}|{{ kindOf "s" }}|{{ kindOf true }}|'
    '{{ kindOf (toDate "2006" "2020") }}|{{ kindOf (semver "1.0.0") }}',
    {"F": 1.5, "L": [], "M": {}},
)
case(
    C,
    "typeIs typeIsLike kindIs",
    '{{ typeIs "int" 1 }}|{{ typeIsLike "semver.Version" (semver "1.0.0") }}|{{ kindIs "slice" .L }}',
    {"L": []},
)
case(
    C,
    "deepEqual compares Go types",
    "{{ deepEqual 1 1.0 }}|{{ deepEqual (list 1) (list 1) }}|{{ deepEqual .M .M }}|{{ deepEqual nil nil }}|"
    '{{ deepEqual (int64 1) 1 }}|{{ deepEqual (splitList "," "a") (list "a") }}',
    {"M": {"a": [1]}},
)

# -- lists --------------------------------------------------------------------------------------
L = "lists"
LD = {"L": ["b", "a", "c", "a"], "E": [], "N": None, "M": {"a": 1, "b": {"c": 2}}, "S": "str", "F": 1.5}
case(L, "first of nil panics", "{{ first nil }}", LD)
case(
    L,
    "empty list edges",
    "{{ first .E }}|{{ last .E }}|{{ rest .E }}|{{ initial .E }}|{{ rest .L }}|{{ initial .L }}|{{ last .L }}",
    LD,
)
case(
    L,
    "nil slices encode as null",
    "{{ toJson (rest .E) }}|{{ toJson (initial .E) }}|{{ toJson (concat) }}|{{ toJson (concat .E) }}|{{ toJson (list) }}",
    LD,
)
for tpl in [
    "{{ first .M }}",
    "{{ last .S }}",
    "{{ rest .F }}",
    "{{ initial true }}",
    "{{ reverse .M }}",
    "{{ uniq 3 }}",
    '{{ without .S "a" }}',
    "{{ has 1 .M }}",
    '{{ compact "x" }}',
    "{{ append .S 1 }}",
    "{{ prepend 1 2 }}",
    "{{ chunk 2 .S }}",
    "{{ concat .L 1 }}",
    "{{ concat .L nil }}",
    "{{ slice .L 4 }}",
    "{{ slice .L 3 1 }}",
    "{{ slice .L -1 }}",
    "{{ slice .L 0 9 }}",
    "{{ slice nil }}",
    "{{ chunk 0 .L }}",
    "{{ chunk -1 .E }}",
    '{{ mustFirst "x" }}',
    "{{ mustCompact 1 }}",
]:
    case(L, "list function on a wrong value", tpl, LD)
case(L, "has", '{{ has 1 nil }}|{{ has "a" .L }}|{{ has 1 (list 1.0 1) }}', LD)
case(L, "concat", "{{ concat .L (list 1) .E }}|{{ typeOf (concat .L) }}", LD)
case(
    L,
    "append and prepend",
    '{{ append .L "z" }}|{{ prepend .L "z" }}|{{ push .E 1 }}|{{ mustAppend (list) nil }}',
    LD,
)
case(
    L,
    "uniq and without use DeepEqual",
    '{{ uniq (list 1 1.0 "1" 1 (list 1) (list 1) nil nil) }}|{{ without (list 1 2 3 2) 2 3 }}',
    LD,
)
case(
    L,
    "slice",
    '{{ slice .E 1 2 }}|{{ slice .L }}|{{ slice .L "1" 2.9 }}|{{ typeOf (slice (splitList "," "a,b") 1) }}',
    LD,
)
case(
    L,
    "chunk with negative sizes",
    "{{ chunk -4 (list 1 2 3) }}|{{ chunk -4 (list 1) }}|{{ chunk -4 (list 1 2 3 4 5) }}|{{ chunk -4 .E }}",
    LD,
)
for tpl in ["{{ chunk -1 (list 1 2 3) }}", "{{ chunk -4 (list 1 2 3 4 5 6) }}", "{{ chunk 0 .E }}"]:
    case(L, "chunk panics", tpl, LD)
case(L, "chunk", "{{ chunk 3 .E }}|{{ chunk 3 .L }}|{{ chunk 1 (list 1) }}|{{ typeOf (chunk 2 .L) }}", LD)
case(
    L,
    "sortAlpha",
    '{{ sortAlpha .M }}|{{ sortAlpha nil }}|{{ sortAlpha 3 }}|{{ sortAlpha (list "b" nil "a" 2) }}',
    LD,
)
case(L, "join", '{{ join "," nil }}|{{ join "," "abc" }}|{{ join "-" .M }}', LD)
case(L, "tuple and list", "{{ tuple }}|{{ list nil nil }}", LD)
case(
    L,
    "first of an empty list is nil",
    '{{ first (list) }}|{{ last (list) }}|{{ printf "%v" (first (list)) }}|{{ coalesce }}|{{ slice (list) }}',
)

# -- dicts --------------------------------------------------------------------------------------
D = "dicts"
case(
    D,
    "dict keys go through strval",
    '{{ dict "a" }}|{{ dict nil 1 }}|{{ dict 1.5 "x" true "y" }}|{{ dict }}',
    LD,
)
case(D, "get", '{{ get .M "zz" }}|{{ get .M "a" }}|{{ get nil "a" }}', LD)
case(D, "set on nil panics", '{{ set nil "a" 1 }}', LD)
case(
    D,
    "unset hasKey keys on nil",
    '{{ unset nil "a" }}|{{ hasKey nil "a" }}|{{ keys nil | sortAlpha }}|{{ keys .M (dict "z" 1) | sortAlpha }}',
    LD,
)
case(
    D,
    "pick omit values pluck",
    '{{ pick .M "a" "zz" }}|{{ omit .M }}|{{ pick nil "a" }}|{{ values (dict "a" 1) }}|{{ pluck "a" .M nil (dict "a" 2) }}',
    LD,
)
case(
    D,
    "merge keeps, mergeOverwrite replaces",
    '{{ merge (dict "a" 1 "b" "") (dict "a" 2 "b" "x" "c" 3) }}|{{ merge (dict) (dict "l" (list 1)) }}|{{ merge (dict "l" (list 9)) (dict "l" (list 1)) }}|'
    '{{ mergeOverwrite (dict "l" (list 9)) (dict "l" (list 1)) }}',
)
case(
    D,
    "merge nested maps",
    '{{ merge (dict "a" (dict "x" 1)) (dict "a" (dict "x" 2 "y" 3)) }}|{{ mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" (dict "x" 2 "y" 3)) }}|'
    '{{ mergeOverwrite (dict "a" "s") (dict "a" (dict "x" 2)) }}|{{ mergeOverwrite (dict "a" "") (dict "a" (dict "x" 2)) }}',
)
case(
    D,
    "merge with nils and zeros",
    '{{ mergeOverwrite (dict "a" 1 "b" 2) (dict "a" nil "b" 0) }}|{{ merge (dict "a" nil) (dict "a" 5) }}|{{ merge (dict "a" 0) (dict "a" 5) }}|'
    '{{ merge (dict "x" 1) (dict "l" (list)) }}|{{ merge nil (dict "a" 1) }}',
)
case(
    D,
    "merge mutates nested maps of the destination only",
    '{{ $d := dict "a" (dict "b" 1) }}{{ $_ := merge (dict "a" (dict "c" 2)) $d }}{{ $d }}',
)
case(D, "dig", '{{ dig "a" "x" .M }}|{{ dig "b" "c" 0 .M }}|{{ dig "b" "c" "z" 0 .M }}', LD)
for tpl in [
    '{{ dig "a" "b" "x" .M }}',
    '{{ dig "a" .M }}',
    '{{ dig 1 "x" .M }}',
    '{{ dig "a" "x" .L }}',
    '{{ dig "a" "x" nil }}',
]:
    case(D, "dig type assertions panic", tpl, LD)
case(D, "deepCopy", '{{ deepCopy .M }}|{{ deepCopy 1 }}|{{ deepCopy (list 1 (dict "a" nil)) }}', LD)
case(D, "deepCopy of nil panics", "{{ deepCopy nil }}")
case(D, "mustDeepCopy of nil fails", "{{ mustDeepCopy nil }}")

# -- defaults -----------------------------------------------------------------------------------
F = "defaults"
case(
    F,
    "default treats zero values as unset",
    '{{ default "d" }}|{{ default "d" 0 }}|{{ default "d" 0.0 }}|{{ default "d" (list) }}|{{ default "d" (dict) }}|{{ default "d" false }}|'
    '{{ default "d" .M }}|{{ default "d" "" "x" }}',
    LD,
)
case(
    F,
    "empty",
    '{{ empty nil }}|{{ empty 0 }}|{{ empty .F }}|{{ empty (now) }}|{{ empty .M }}|{{ empty "" }}|{{ empty .E }}',
    LD,
    funcs="full",
)
case(F, "coalesce all any", '{{ coalesce }}|{{ coalesce nil 0 "" (list) "x" }}|{{ all }}|{{ any }}', LD)
case(F, "ternary", "{{ ternary 1 2 true }}|{{ ternary 1 2 false }}")
case(F, "ternary needs a bool", "{{ ternary 1 2 .N }}", LD)
case(
    F,
    "missing values and nil",
    '{{ default "s" .Missing }}|{{ coalesce .Missing .N }}|{{ list .Missing .N }}|{{ toJson .Missing }}|{{ empty .Missing }}|{{ typeOf .Missing }}|{{ kindOf .N }}',
    {"N": None},
)

# -- JSON ---------------------------------------------------------------------------------------
J = "json"
JD = {
    "M": {
        "b": [1, 2.5, None, True, "x<y&z>"],
        "a": {"n": 1e21, "s": 1e-7, "t": 123456789.0, "u": 0.000001, "neg": -0.0},
    },
    "S": "\u2028\u2029é\u0000\u001f\t",
}
case(J, "toJson and toRawJson", "{{ toJson .M }}|{{ toRawJson .M }}", JD)
case(J, "toPrettyJson", "{{ toPrettyJson .M }}", JD)
case(
    J,
    "string escapes and empty values",
    '{{ toJson .S }}|{{ toRawJson .S }}|{{ toJson nil }}|{{ toJson "" }}|{{ toJson (list) }}|{{ toJson (dict) }}|{{ toPrettyJson (list) }}|'
    '{{ toPrettyJson (dict "a" (list) "b" (dict)) }}',
    JD,
)
case(J, "NaN gives an empty string", '{{ toJson (float64 "nan") }}|{{ toPrettyJson (float64 "inf") }}')
for tpl in [
    '{{ mustToJson (float64 "nan") }}',
    '{{ toRawJson (float64 "-inf") }}',
    '{{ mustToRawJson (list (float64 "nan")) }}',
    '{{ mustToPrettyJson (float64 "nan") }}',
]:
    case(J, "unsupported values fail", tpl)
case(
    J,
    "typed values",
    '{{ toJson (until 3) }}|{{ toJson (split "," "a,b") }}|{{ toJson (int64 5) }}|{{ toJson (semver "1.2.3+x") }}|{{ toJson (chunk 2 (list 1 2 3)) }}',
)
case(
    J,
    "fromJson drops errors",
    '{{ fromJson "" }}|{{ fromJson "{" }}|{{ fromJson "[1,2" }}|{{ fromJson "1e400" }}|{{ fromJson "[1e400, 2]" }}|'
    '{{ fromJson "{\\"a\\":[1,{\\"b\\":null}]}" }}|{{ fromJson "\\"\\\\ud800x\\\\ud83d\\\\ude00\\"" }}',
)
for src in [
    '""',
    '"{"',
    '"[1,]"',
    '"{\\"a\\" 1}"',
    '"{\\"a\\":1 \\"b\\"}"',
    '"tru"',
    '"nul"',
    '"falsy"',
    '"01"',
    '"-"',
    '"1."',
    '"1e"',
    '"1 2"',
    '"\\"a\\\\x\\""',
    '"\\"\\\\u12g4\\""',
    '"\\"a\\tb\\""',
    '"é"',
    '"\'"',
    '"[1e400, 2]"',
    '"{\\"a\\":1,}"',
    '"NaN"',
]:
    case(J, "mustFromJson syntax errors", "{{ mustFromJson " + src + " }}")
case(
    J,
    "fromJson numbers are float64",
    '{{ $x := fromJson "[1, 2.5, 1e25, -0]" }}{{ $x }}|{{ typeOf (index $x 0) }}',
)
case(
    J,
    "toJson in html/template is escaped for the context",
    "<script>var x = {{ toJson .M }};</script>",
    {"M": {"a": "<b>"}},
    engine="html",
)

# -- math ---------------------------------------------------------------------------------------
M = "math"
MD = {"A": 7, "F": 2.5, "Big": 9.3e18, "S": "12"}
case(
    M,
    "integer math converts with cast",
    '{{ add }}|{{ add 1 "2" 3.9 true nil }}|{{ add1 "x" }}|{{ sub 1 2.5 }}|{{ mul 2 }}|{{ mul 2 3 "4" }}|{{ typeOf (add 1) }}',
    MD,
)
case(M, "div and mod truncate toward zero", "{{ div -7 2 }}|{{ mod -7 2 }}|{{ mod 7 -2 }}|{{ div 7 -2 }}")
case(M, "mod by zero panics", "{{ mod 1 0 }}")
case(
    M,
    "int64 overflow wraps",
    "{{ add 9223372036854775807 1 }}|{{ mul 9223372036854775807 2 }}|{{ int64 .Big }}|{{ add .Big .Big }}|{{ div -9223372036854775808 -1 }}",
    MD,
)
case(M, "max min biggest", '{{ max 1 }}|{{ max "5" 2.9 }}|{{ min -1 "x" }}|{{ biggest 1 2 3 }}')
case(
    M,
    "maxf minf follow math.Max/Min",
    '{{ maxf 1 "x" }}|{{ minf 0 -0.0 }}|{{ maxf -0.0 0 }}|{{ maxf 1 "nan" }}|{{ minf 1 "-inf" "nan" }}|{{ maxf "inf" "nan" }}',
)
case(
    M,
    "float math goes through decimals",
    "{{ addf 0.1 0.2 }}|{{ addf }}|{{ subf 0.3 0.1 }}|{{ mulf 0.1 3 }}|{{ divf 1 3 }}|{{ divf 2 3 }}|{{ divf -2 3 }}|{{ divf 10 }}|{{ mulf 1e300 1e300 }}|{{ addf 1e-320 1 }}",
)
case(
    M,
    "divf rounds at 16 places",
    "{{ divf 1 7 }}|{{ divf 22 7 }}|{{ divf 1e20 3 }}|{{ divf 5e-17 1 }}|{{ divf 1 -6 }}|{{ divf 0.5e-16 1 }}",
)
for tpl in ["{{ divf 1 0 }}", '{{ addf "inf" 1 }}', '{{ addf "nan" }}']:
    case(M, "decimal panics", tpl)
case(
    M,
    "round",
    '{{ round 2.5 0 }}|{{ round -2.5 0 }}|{{ round 1.005 2 }}|{{ round 1234.5678 -2 }}|{{ round 2.4 0 0.4 }}|{{ round "3.14159" 3 }}|{{ round -0.4 0 }}|{{ round 1e308 2 }}',
)
case(M, "round options", "{{ round 1.55 1 0.4 }}|{{ round 1.5 0 1 }}")
case(
    M, "ceil and floor", '{{ ceil -0.5 }}|{{ floor -0.5 }}|{{ ceil "2.1" }}|{{ floor nil }}|{{ ceil 1e300 }}'
)
case(M, "randInt with an empty range panics", "{{ randInt 5 5 }}")
case(M, "randInt is hermetic", "{{ randInt 0 1 }}")

# -- dates --------------------------------------------------------------------------------------
T_ = "dates"
DD = {"TS": 1700000000, "NEG": -86400, "F": 1700000000.0, "ISO": "2024-02-29T13:45:00.123456789+02:00"}
TSI = ("TS", "NEG")
case(
    T_,
    "every layout element",
    '{{ date "Mon Monday Jan January 1 01 2 02 _2 __2 002 15 3 03 4 04 5 05 2006 06 PM pm MST Z07:00 -0700 -07 Z0700 .000 .999 ,000" .TS }}',
    DD,
    TSI,
    "full",
)
case(
    T_,
    "zones",
    '{{ date "2006-01-02" .NEG }}|{{ date "Jan _2 3:04:05.000000PM" 86399 }}|{{ dateInZone "2006-01-02 15:04 MST -07:00" .TS "America/New_York" }}|'
    '{{ dateInZone "15:04 MST" .TS "Asia/Kolkata" }}|{{ dateInZone "15:04 MST" .TS "Bogus/Zone" }}|{{ dateInZone "15:04 MST" .TS "" }}|{{ dateInZone "15:04 MST" .TS "Local" }}',
    DD,
    TSI,
    "full",
)
case(
    T_,
    "float timestamps mean now",
    '{{ dateInZone "2006" .F "UTC" | len }}|{{ htmlDateInZone .TS "Asia/Tokyo" }}|{{ date_in_zone "Jan" 0 "UTC" }}',
    DD,
    TSI,
    "full",
)
case(
    T_,
    "toDate zones",
    '{{ toDate "2006-01-02T15:04:05.999999999Z07:00" .ISO }}|{{ toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T10:00:00Z" }}|'
    '{{ toDate "2006-01-02 15:04 -0700" "2024-01-01 10:00 +0000" }}|{{ toDate "2006-01-02 MST" "2024-01-01 PST" }}|{{ toDate "2006-01-02 MST" "2024-01-01 GMT+3" }}',
    DD,
)
case(
    T_,
    "toDate layouts",
    '{{ toDate "2006-01-02" "bad" }}|{{ toDate "Jan 2 2006" "feb 29 2024" }}|{{ toDate "02/01/06" "31/12/99" }}|'
    '{{ toDate "2006-01-02 3:04PM" "2024-03-05 12:30AM" }}|{{ toDate "2006-002" "2024-060" }}',
)
case(
    T_,
    "fractions and offsets round trip",
    '{{ (toDate "2006-01-02T15:04:05Z07:00" .ISO) | date "2006-01-02 15:04:05.000 Z07:00 MST" }}',
    DD,
    funcs="full",
)
for v in [
    '"2006-01-02" "2024-02-30"',
    '"2006-01-02" "2024-13-01"',
    '"2006-01-02" "2024-01-01x"',
    '"15:04" "25:00"',
    '"Mon Jan 2" "Foo Jan 2"',
    '"2006-01-02 15:04:05.000" "2024-01-01 10:00:00.12"',
    '"2006 -07:00" "2024 +25:00"',
    '"2006 MST" "2024 abc"',
    '"2006\\"é" "2024\\"x"',
]:
    case(T_, "mustToDate errors", "{{ mustToDate " + v + " }}")
case(T_, "a layout without a date gives year 0", '{{ mustToDate "15:04" "10:30" }}')
case(
    T_,
    "fractional seconds without a layout element",
    '{{ mustToDate "2006-01-02 15:04:05" "2024-01-01 10:00:00.5" }}|{{ mustToDate "2006-01-02 15:04:05" "2024-01-01 10:00:00,25" }}',
)
case(
    T_,
    "unixEpoch and the zero time",
    '{{ unixEpoch (toDate "2006-01-02" "2024-01-01") }}|{{ unixEpoch (toDate "2006" "x") }}|{{ toDate "2006" "x" }}',
)
case(
    T_,
    "dateModify",
    '{{ toDate "2006-01-02" "2024-01-01" | dateModify "-1.5h" }}|{{ toDate "2006-01-02" "2024-01-01" | dateModify "bogus" }}|'
    '{{ toDate "2006-01-02" "2024-01-01" | date_modify "1h30m15.5s" }}',
)
for d in ['"5x"', '""', '".h"', '"1"']:
    case(T_, "mustDateModify errors", '{{ toDate "2006-01-02" "2024-01-01" | mustDateModify ' + d + " }}")
case(T_, "dateModify needs a time.Time", '{{ dateModify "1h" "2024" }}')
case(
    T_,
    "duration",
    '{{ duration "3725" }}|{{ duration (int64 90061) }}|{{ duration 5 }}|{{ duration "x" }}|{{ duration (int64 -1) }}|{{ duration "0" }}|'
    '{{ duration (int64 9300000000) }}|{{ duration "99999999999999999999" }}',
)
case(
    T_,
    "durationRound",
    '{{ durationRound "2h5m" }}|{{ durationRound "-49h" }}|{{ durationRound (int64 3600000000001) }}|{{ durationRound 3600 }}|'
    '{{ durationRound "1.5ms" }}|{{ durationRound "400d" }}|{{ durationRound "9000h" }}|{{ durationRound "800h" }}|{{ durationRound "61s" }}|{{ durationRound "60s" }}',
)
case(
    T_,
    "ago and now",
    '{{ ago (toDate "2006" "x") | len }}|{{ htmlDate .F | len }}|{{ typeOf now }}|{{ kindOf now }}',
    DD,
    funcs="full",
)
case(
    T_,
    "times in JSON",
    '{{ toJson (toDate "2006-01-02" "2024-01-01") }}|{{ toJson (toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T10:00:00.5+01:30") }}',
)
case(
    T_,
    "year 0 and year -1 through layouts",
    '{{ mustToDate "15:04" "10:30" | date "2006-01-02 Mon 06 002 Z07:00 MST" }}|{{ mustToDate "MST" "GMT-11" | date "2006-01-02 15:04 Mon __2" }}|'
    '{{ mustToDate "15:04" "10:30" | unixEpoch }}|{{ mustToDate "15:04" "10:30" | dateModify "-24h" | date "2006-01-02 Mon" }}|'
    '{{ mustToDate "15:04" "10:30" | toJson }}',
    funcs="full",
)
case(
    T_,
    "a time before year 0 cannot be JSON",
    '{{ mustToDate "15:04" "10:30" | dateModify "-8760h" | toJson }}',
    funcs="full",
)
case(
    T_,
    "nanoseconds survive parsing, formatting, JSON and dateModify",
    '{{ $t := mustToDate "2006-01-02T15:04:05.999999999Z07:00" "2024-02-29T13:45:00.123456789+02:00" }}'
    '{{ $t | date "05.000000000 .999999 ,00" }}|{{ $t | toJson }}|{{ $t | dateModify "1ns" | date ".999999999" }}',
    funcs="full",
)
case(T_, "int64 timestamps", '{{ date "2006" (int64 0) }}|{{ date "06" 1 }}', funcs="full")

# -- regexp -------------------------------------------------------------------------------------
R = "regex"
case(
    R,
    "RE2 semantics",
    '{{ regexMatch "^\\\\d+$" "123\\n" }}|{{ regexMatch "(?m)^\\\\d+$" "123\\nx" }}|{{ regexMatch "\\\\d" "٣" }}|{{ regexMatch "\\\\w+" "é" }}|'
    '{{ regexMatch "(?i)straße" "STRASSE" }}|{{ regexMatch "(?i)k" "K" }}|{{ regexMatch "\\\\bé" "é" }}|{{ regexMatch "[[:alpha:]]+" "abc" }}|'
    '{{ regexMatch "\\\\pL" "é" }}|{{ regexMatch "\\\\p{Lu}" "a" }}',
)
case(
    R,
    "FindAll skips empty matches next to a match",
    '{{ regexFindAll "a*" "baaab" -1 }}|{{ regexFindAll "" "abc" -1 }}|{{ regexFindAll "x*" "" -1 }}|'
    '{{ regexFindAll "a|b" "abab" 3 }}|{{ regexFindAll "z" "abc" -1 }}|{{ regexFindAll "." "héllo" 0 }}',
)
case(
    R,
    "ReplaceAll expands $ groups",
    '{{ regexReplaceAll "a*" "baaac" "-" }}|{{ regexReplaceAll "(\\\\w+)@(\\\\w+)" "ann@ex bob@ey" "$2:$1" }}|'
    '{{ regexReplaceAll "(?P<u>\\\\w+)@" "ann@" "${u}_$u x" }}|{{ regexReplaceAll "(a)" "a" "$1x ${1}x $$ $ $2 ${x" }}|{{ regexReplaceAllLiteral "a" "aba" "$0" }}',
)
case(
    R,
    "ReplaceAll with empty matches",
    '{{ regexReplaceAll "" "abc" "-" }}|{{ regexReplaceAll "x*" "abc" "-" }}|{{ regexReplaceAll "b*" "abc" "-" }}|{{ regexReplaceAll "(?<n>a)" "a" "[$n]" }}',
)
case(
    R,
    "Split",
    '{{ regexSplit "," "a,b,,c" -1 }}|{{ regexSplit "," "a,b,c" 2 }}|{{ regexSplit "" "abc" -1 }}|{{ regexSplit "x*" "axbc" -1 }}|'
    '{{ regexSplit "," "" -1 }}|{{ regexSplit "" "" -1 }}|{{ regexSplit "," "a,b" 0 }}|{{ regexSplit "a" "a" -1 }}',
)
case(
    R,
    "Go-only syntax",
    '{{ regexFind "(?U)a+" "aaa" }}|{{ regexFind "a+?" "aaa" }}|{{ regexFind "(?U)a+?" "aaa" }}|{{ regexFind "\\\\Qa.b\\\\E+" "a.bb" }}|'
    '{{ regexFind "\\\\x41\\\\x{42}\\\\101" "ABA" }}|{{ regexFind "[^\\\\d\\\\s]+" "12 ab3" }}|{{ regexFind "(?s).+" "a\\nb" }}|{{ regexFind ".+" "a\\nb" }}|'
    '{{ regexFind "a{2,3}" "aaaa" }}|{{ regexFind "a{,3}" "a{,3}" }}|{{ regexFind "x{2}{3}" "xxxxxx" }}',
)
for rx in [
    '"("',
    '")"',
    '"a**"',
    '"*"',
    '"[a"',
    '"\\\\q"',
    '"a{1001}"',
    '"[z-a]"',
    '"(?=x)"',
    '"(?P<>x)"',
    '"\\\\"',
    '"[[:foo:]]"',
    '"\\\\p{Foo}"',
    '"(a{100}){100}"',
    '"\\\\1"',
    '"a{2}*"',
    '"(?i"',
    '"x|*"',
    '"\\\\C"',
    '"\\\\8"',
    '"\\\\x{110000}"',
    '"`("',
]:
    case(R, "MustCompile panics", "{{ regexFind " + rx + ' "x" }}')
for tpl in [
    '{{ mustRegexFind "(" "x" }}',
    '{{ mustRegexMatch "[" "x" }}',
    '{{ mustRegexFindAll "a{5,2}" "x" 1 }}',
    '{{ mustRegexReplaceAll "(?P<n!>x)" "x" "" }}',
    '{{ mustRegexSplit "+" "x" 1 }}',
    '{{ regexSplit "(" "x" 1 }}',
    '{{ regexMatch "(" "x" }}',
]:
    case(R, "compile errors", tpl)
case(
    R,
    "anchors and classes",
    '{{ regexQuoteMeta "a.b*c[d]{e}(f)|g^h$i\\\\j+k?" }}|{{ regexMatch "^$" "" }}|{{ regexMatch "^\\\\z" "" }}|{{ regexMatch "a$" "a\\n" }}|'
    '{{ regexMatch "(?m)a$" "a\\n" }}|{{ regexFind "^*a" "aa" }}|{{ regexFind "(?i)[^a]" "A" }}|{{ regexFind "\\\\B." "ab" }}',
)
case(
    R,
    "multiline and unicode classes",
    '{{ regexFindAll "(?m)^\\\\w" "ab\\ncd\\nef" -1 }}|{{ regexFindAll "\\\\b\\\\w" "ab cd" -1 }}|{{ regexFind "[\\\\pL\\\\d]+" "é1!" }}|'
    '{{ regexFind "\\\\P{L}+" "ab12" }}|{{ regexFind "[^\\\\n]+" "ab\\ncd" }}|{{ regexFind "(?i)Σ+" "σςΣ" }}|{{ regexFind "[[:^digit:]]+" "ab1" }}',
)

# -- URLs and paths -----------------------------------------------------------------------------
U = "url"
for u in [
    "https://user:p%40ss@Ex.com:8443/a%20b/c?x=1&y=%20#frag%21",
    "mailto:a@b.c",
    "//host/path",
    "/rel/path?q",
    "http://[::1]:80/x",
    "http://a b.com/",
    "http://x.com/%zz",
    "foo:bar",
    "http://x:y:80/",
    "ftp://a:b:80/",
    "http://x.com?",
    "HTTP://X.COM/Ä?ä=1#ü",
    "http://u@h",
    "*",
    "",
    "http://h/a;b,c",
    "http://[fe80::1%25en0]/",
    "http://1.2.3.4:x/",
    "http://[1.2.3.4]/",
    "x:/p",
    "1:2",
    "http://a/b#",
    "http://a/%2F",
]:
    case(
        U,
        "urlParse then urlJoin",
        "{{ $u := urlParse .U }}{{ $u.scheme }}|{{ $u.host }}|{{ $u.hostname }}|{{ $u.path }}|{{ $u.query }}|{{ $u.opaque }}|"
        "{{ $u.fragment }}|{{ $u.userinfo }}|{{ urlJoin $u }}",
        {"U": u},
    )
case(
    U,
    "urlJoin escapes per component",
    '{{ urlJoin (dict "scheme" "https" "host" "ex.com" "path" "/a b" "query" "x=1 2" "fragment" "f g" "userinfo" "us er:pa@ss") }}',
)
case(
    U,
    "urlJoin partial URLs",
    '{{ urlJoin (dict "host" "h" "path" "p") }}|{{ urlJoin (dict "path" "a:b") }}|{{ urlJoin (dict "scheme" "mailto" "opaque" "a@b") }}|'
    '{{ urlJoin (dict) }}|{{ urlJoin (dict "userinfo" "u") }}',
)
for tpl in [
    '{{ urlJoin (dict "host" 5) }}',
    '{{ urlJoin (dict "userinfo" "a b") }}',
    '{{ urlJoin (dict "host" nil) }}',
    '{{ urlJoin (dict "userinfo" "x/y") }}',
]:
    case(U, "urlJoin errors", tpl)
case(
    U,
    "urlJoin in an html attribute",
    '<a href="{{ urlJoin (dict "scheme" "https" "host" "x" "path" "/a b") }}">{{ upper "é<" }}</a>',
    engine="html",
)
case(
    U,
    "path functions",
    '{{ base "" }}|{{ base "/" }}|{{ base "a/b/" }}|{{ dir "" }}|{{ dir "a" }}|{{ dir "/a" }}|{{ dir "a/b/" }}|{{ clean "a/../../b" }}|'
    '{{ clean "/../a" }}|{{ clean "./" }}|{{ clean "a//b/./c/.." }}|{{ ext "a.b/c" }}|{{ ext ".x" }}|{{ isAbs "a" }}|{{ osBase "/x/y.z" }}|{{ osDir "x/y" }}|'
    '{{ osClean "//x" }}|{{ osExt "f.tar.gz" }}|{{ osIsAbs "/" }}',
)

# -- semver -------------------------------------------------------------------------------------
V = "semver"
case(
    V,
    "semver fields",
    '{{ (semver "1.2.3-rc.1+b5").Prerelease }}|{{ (semver "1.2.3-rc.1+b5").Metadata }}|{{ (semver "v1.2").Original }}|{{ (semver "1").Minor }}|{{ semver "1.2.3" | typeOf }}',
)
case(V, "a semver prints as its String", '{{ semver "v1.2" }}')
for v in ['"x"', '"1.2.3-01"', '"1.2.3-a..b"', '"99999999999999999999.0.0"']:
    case(V, "semver errors", "{{ semver " + v + " }}")
case(
    V,
    "semverCompare",
    '{{ semverCompare "~1.2.0" "1.2.9" }}|{{ semverCompare "~1.2.0" "1.3.0" }}|{{ semverCompare ">=1.0, <2.0" "1.5.0" }}|'
    '{{ semverCompare "1.2.x" "1.2.7" }}|{{ semverCompare "*" "0.0.1" }}|{{ semverCompare "1.0 - 2.0" "1.9.9" }}|{{ semverCompare "^0.2.3" "0.2.9" }}|'
    '{{ semverCompare "^0.2.3" "0.3.0" }}|{{ semverCompare ">1.0.0 || <0.1" "0.0.5" }}|{{ semverCompare ">=1.0.0" "1.1.0-beta" }}|'
    '{{ semverCompare ">=1.0.0-0" "1.1.0-beta" }}|{{ semverCompare "!=1.2.3" "1.2.4-beta" }}|{{ semverCompare "!=1.2.x" "1.2.4" }}|'
    '{{ semverCompare "<=1.2" "1.2.9" }}|{{ semverCompare ">1.2" "1.3.0" }}|{{ semverCompare "=1.2.3" "v1.2.3" }}|{{ semverCompare "^0.0.3" "0.0.3" }}',
)
for tpl in [
    '{{ semverCompare "blah" "1.0.0" }}',
    '{{ semverCompare ">1" "blah" }}',
    '{{ semverCompare "" "1.0.0" }}',
]:
    case(V, "semverCompare errors", tpl)

# -- encodings, hashes, crypto, OS --------------------------------------------------------------
E = "encoding"
case(E, "hashes", '{{ sha1sum "" }}|{{ sha256sum "é" }}|{{ adler32sum "" }}|{{ adler32sum "Wikipedia" }}')
case(
    E,
    "base64 decoding errors carry Go's offsets",
    '{{ b64enc "é" }}|{{ b64dec "w6k=" }}|{{ b64dec "w6k" }}|{{ b64dec "w6k==" }}|{{ b64dec "w=k=" }}|{{ b64dec "YW\\nJj" }}|{{ b64dec "YWJj\\n" }}|'
    '{{ b64dec "YQ==YQ==" }}|{{ b64dec "Y" }}|{{ b64dec "" }}|{{ b64dec "YWJ=" }}',
)
case(
    E,
    "base32",
    '{{ b32enc "" }}|{{ b32enc "hello" }}|{{ b32dec "NBSWY3DP" }}|{{ b32dec "NBSWY3D" }}|{{ b32dec "NBSWY===" }}|{{ b32dec "MFRGG==" }}|'
    '{{ b32dec "M=======" }}|{{ b32dec "1BSWY3DP" }}|{{ b32dec "MFRG\\nG===" }}|{{ b32dec "MFRGG===X" }}',
)
case(
    E,
    "encodings in html/template",
    '{{ dict "a" "<b>" | toJson }}|{{ list "<x>" "&" }}|{{ quote "<a>" }}|{{ b64enc "<>" }}',
    engine="html",
)
X = "crypto"
case(
    X,
    "random functions have the right shape",
    "{{ until 3 | len }}|{{ len (randAlphaNum 5) }}|{{ len (randAlpha 3) }}|{{ len (randNumeric 4) }}|{{ len (randAscii 6) }}|{{ randAlpha 0 }}|{{ randAlpha -1 }}|"
    '{{ len (shuffle "abc") }}|{{ regexMatch "^[A-Za-z0-9]{8}$" (randAlphaNum 8) }}|{{ regexMatch "^[0-9]{8}$" (randNumeric 8) }}|'
    '{{ regexMatch "^[ -~]{8}$" (randAscii 8) }}|{{ regexMatch "^[a-zA-Z]{8}$" (randAlpha 8) }}',
    funcs="full",
)
case(
    X,
    "randBytes and uuidv4",
    '{{ len (randBytes 3) }}|{{ len uuidv4 }}|{{ randBytes 0 }}|{{ regexMatch "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" uuidv4 }}',
    funcs="full",
)
case(X, "randBytes with a negative count panics", "{{ randBytes -1 }}", funcs="full")
case(
    X,
    "derivePassword",
    '{{ derivePassword 1 "long" "password" "user" "example.com" }}|{{ derivePassword 1 "nope" "p" "u" "s" }}',
)
case(
    X,
    "bcrypt and htpasswd",
    '{{ $h := bcrypt "x" }}{{ len $h }}|{{ hasPrefix "$2a$10$" $h }}|{{ htpasswd "a:b" "x" }}|{{ $p := htpasswd "u" "p" }}{{ len $p }}|{{ hasPrefix "u:$2a$10$" $p }}|'
    '{{ len (bcrypt "01234567890123456789012345678901234567890123456789012345678901234567890123456789") }}',
)
case(
    X,
    "decryptAES",
    '{{ decryptAES "secretkey" "pZr0tdbWu8sJvK9xK9cFYSyRx9pTwpHkCXE1hwn5Yr0=" }}|{{ encryptAES "k" "hello" | decryptAES "k" }}|{{ encryptAES "k" "" }}',
)
for tpl in ['{{ decryptAES "k" "AAAA" }}', '{{ decryptAES "k" "!!" }}']:
    case(X, "decryptAES errors", tpl)
OS = "os"
case(
    OS,
    "env and expandenv",
    '{{ env "GOTMPL_ORACLE_GREETING" }}|{{ expandenv "$GOTMPL_ORACLE_GREETING/${GOTMPL_ORACLE_GREETING}/$NOPE_X_Y/$/${}/$$/${/a$" }}|{{ expandenv "x${!}y$1z${ab" }}',
    funcs="full",
)
case(OS, "env is not hermetic", '{{ env "HOME" }}')
case(OS, "hello", "{{ hello }}")
A = "args"
AD = {"F": 2.0, "I": 3, "S": "s", "L": [1], "M": {"a": 1}, "N": None}
for tpl in [
    '{{ trunc .F "abc" }}',
    '{{ trunc .I "abcdef" }}',
    "{{ upper .F }}",
    "{{ upper .N }}",
    "{{ upper .Missing }}",
    '{{ pick .L "a" }}',
    '{{ pick .N "a" }}',
    '{{ pluck "a" .M .S }}',
    "{{ keys .M .N .Missing | sortAlpha }}",
    '{{ get .Missing "a" }}|{{ hasKey .Missing "a" }}',
    '{{ set .Missing "a" 1 }}',
    "{{ ternary 1 2 .Missing }}",
    '{{ splitList .I "a" }}',
    "{{ join .I .L }}",
    "{{ seq .I }}|{{ seq 1 .I }}",
    "{{ seq .F }}",
    "{{ round 1.234 .F }}",
    '{{ round 1.5 0 "x" }}',
    "{{ until .F }}",
    '{{ dateModify "1h" .S }}',
    "{{ unixEpoch .I }}",
    '{{ trunc (int64 2) "abc" }}',
]:
    case(A, "arguments are checked by Go's rules", tpl, AD, ("I",))
for tpl in [
    '{{ get (split "," "a,b") "_1" }}',
    '{{ pluck "_0" (split "," "a,b") }}',
    '{{ dig "_0" "x" (split "," "a,b") }}',
    "{{ sub 5 }}",
    "{{ ternary 1 2 }}",
    '{{ hasKey (dict "a" nil) "a" }}|{{ get (dict "a" nil) "a" }}|{{ index (dict "a" nil) "a" }}',
    '{{ $u := urlParse "http://a/b" }}{{ set $u "path" "/c" | urlJoin }}',
]:
    case(A, "map[string]string is not map[string]interface {}; argument counts", tpl)
case(
    M,
    "round with extreme places",
    '{{ round 1.5 400 }}|{{ round 1.5 -400 }}|{{ round 0 400 }}|{{ round (float64 "nan") 1 }}|{{ round 1e308 2 0 }}',
)

# -- which names each map defines -------------------------------------------------------------
# sprig 3.2.3's genericMap (functions.go), plus names other template engines have but sprig lacks.
SPRIG_NAMES = [
    "abbrev",
    "abbrevboth",
    "add",
    "add1",
    "add1f",
    "addf",
    "adler32sum",
    "ago",
    "all",
    "any",
    "append",
    "atoi",
    "b32dec",
    "b32enc",
    "b64dec",
    "b64enc",
    "base",
    "bcrypt",
    "biggest",
    "buildCustomCert",
    "camelcase",
    "cat",
    "ceil",
    "chunk",
    "clean",
    "coalesce",
    "compact",
    "concat",
    "contains",
    "date",
    "dateInZone",
    "dateModify",
    "date_in_zone",
    "date_modify",
    "decryptAES",
    "deepCopy",
    "deepEqual",
    "default",
    "derivePassword",
    "dict",
    "dig",
    "dir",
    "div",
    "divf",
    "duration",
    "durationRound",
    "empty",
    "encryptAES",
    "env",
    "expandenv",
    "ext",
    "fail",
    "first",
    "float64",
    "floor",
    "fromJson",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "get",
    "getHostByName",
    "has",
    "hasKey",
    "hasPrefix",
    "hasSuffix",
    "hello",
    "htmlDate",
    "htmlDateInZone",
    "htpasswd",
    "indent",
    "initial",
    "initials",
    "int",
    "int64",
    "isAbs",
    "join",
    "kebabcase",
    "keys",
    "kindIs",
    "kindOf",
    "last",
    "list",
    "lower",
    "max",
    "maxf",
    "merge",
    "mergeOverwrite",
    "min",
    "minf",
    "mod",
    "mul",
    "mulf",
    "mustAppend",
    "mustChunk",
    "mustCompact",
    "mustDateModify",
    "mustDeepCopy",
    "mustFirst",
    "mustFromJson",
    "mustHas",
    "mustInitial",
    "mustLast",
    "mustMerge",
    "mustMergeOverwrite",
    "mustPrepend",
    "mustPush",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustRest",
    "mustReverse",
    "mustSlice",
    "mustToDate",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustUniq",
    "mustWithout",
    "must_date_modify",
    "nindent",
    "nospace",
    "now",
    "omit",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "pick",
    "pluck",
    "plural",
    "prepend",
    "push",
    "quote",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randBytes",
    "randInt",
    "randNumeric",
    "regexFind",
    "regexFindAll",
    "regexMatch",
    "regexQuoteMeta",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "repeat",
    "replace",
    "rest",
    "reverse",
    "round",
    "semver",
    "semverCompare",
    "seq",
    "set",
    "sha1sum",
    "sha256sum",
    "shuffle",
    "slice",
    "snakecase",
    "sortAlpha",
    "split",
    "splitList",
    "splitn",
    "squote",
    "sub",
    "subf",
    "substr",
    "swapcase",
    "ternary",
    "title",
    "toDate",
    "toDecimal",
    "toJson",
    "toPrettyJson",
    "toRawJson",
    "toString",
    "toStrings",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trimall",
    "trunc",
    "tuple",
    "typeIs",
    "typeIsLike",
    "typeOf",
    "uniq",
    "unixEpoch",
    "unset",
    "until",
    "untilStep",
    "untitle",
    "upper",
    "urlJoin",
    "urlParse",
    "uuidv4",
    "values",
    "without",
    "wrap",
    "wrapWith",
]
case(
    X,
    "derivePassword's uint32 counter: literal constants keep their low 32 bits; others are refused",
    '{{ derivePassword 4294967297 "long" "password" "user" "example.com" }}|{{ derivePassword 0 "pin" "p" "u" "s" }}',
)
for _bad in ("-1", "1.5", '"1"', ".N"):
    case(X, f"derivePassword's uint32 counter refuses {_bad}", "{{ derivePassword " + _bad + ' "long" "p" "u" "s" }}',
         {"N": 1}, ints=("N",))  # fmt: skip
T = "types"
# Typed results (until's []int, split's map[string]string, chunk, semver) passed on, printed and typed.
for _tpl in [
    '{{ printf "%#v" (until 3) }}',
    '{{ printf "%T" (until 3) }}',
    '{{ concat (until 2) (list 1) }}',
    '{{ append (until 2) 3 }}',
    '{{ until 3 | toJson }}',
    '{{ range until 3 }}{{ . }}{{ end }}',
    '{{ first (until 3) }}',
    '{{ pick (split "," "a,b") "_0" }}',
    '{{ keys (split "," "a,b") }}',
    '{{ index (split "," "a,b") "_0" }}',
    '{{ (split "," "a,b")._0 }}',
    '{{ hasKey (split "," "a") "_0" }}',
    '{{ without (until 3) 1 }}',
    '{{ has 1 (until 3) }}',
    '{{ slice (until 3) 1 }}',
    '{{ len (until 3) }}',
    '{{ printf "%T %T %T" (split "," "a") (chunk 2 (list 1 2 3)) (rest list) }}',
    '{{ merge (dict "a" 1) (split "," "x") }}',
    '{{ dig "_0" "d" (split "," "x") }}',
    '{{ values (split "," "a,b") }}',
    '{{ omit (split "," "a,b") "_0" }}',
    '{{ set (split "," "a") "k" "v" }}',
    '{{ unset (split "," "a") "_0" }}',
    '{{ deepCopy (split "," "a") }}',
    '{{ toJson (split "," "a,b") }}',
    '{{ sortAlpha (until 3) }}',
    '{{ uniq (until 3) }}',
    '{{ reverse (until 3) }}',
    '{{ compact (until 3) }}',
    '{{ initial (until 3) }}',
    '{{ last (until 3) }}',
    '{{ mustPush (until 2) 5 }}',
    '{{ prepend (until 2) 5 }}',
    '{{ join "-" (until 3) }}',
    '{{ printf "%v" (chunk 2 (list 1 2 3)) }}',
    '{{ typeOf (until 3) }} {{ kindOf (until 3) }} {{ typeIs "[]int" (until 3) }}',
    '{{ typeOf (split "," "a") }} {{ typeOf (semver "1") }} {{ printf "%T" (semver "1") }}',
    '{{ dict "a" (until 2) | toJson }}',
    '{{ list (until 2) (split "," "a") }}',
    '{{ eq (until 2) (until 2) }}',
]:
    case(T, "typed container: " + _tpl, _tpl, {"N": 1, "L": ["x", 1], "M": {"a": 1}}, ints=("N",))

TF = "timefmt"
# fmt printing a time that carries nanoseconds or year 0 (String and GoString), nested or not.
for _tpl in [
    '{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-02-29T13:45:00.123456789+02:00" }}{{ $t }}|{{ list $t }}|{{ printf "%s|%v|%q" $t $t $t }}|{{ dict "t" $t }}',
    '{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-02-29T13:45:00.123456789+02:00" }}{{ dateModify "1h" $t }}|{{ $t | unixEpoch }}',
    '{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-02-29T13:45:00.123456789+02:00" }}{{ printf "%#v" $t }}',
    '{{ $t := mustToDate "15:04" "10:30" }}{{ printf "%#v" $t }}',
]:
    case(TF, "time printing: " + _tpl, _tpl, funcs="full")

N = "names"
for _name in [*SPRIG_NAMES, "required", "include", "tpl", "toYaml", "fromYaml", "lookup", "randomString"]:
    for _kind in ("hermetic", "full"):
        case(N, f"is {_name} defined", "{{ if false }}{{ " + _name + " }}{{ end }}", funcs=_kind)


def main() -> None:
    for group, cases in GROUPS.items():
        d = HERE / group
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
        for i, c in enumerate(cases, 1):
            cid = f"{c['engine']}-sprig-{group}-{i:03d}"
            body = {"id": cid, "category": f"sprig-{group}", **c}
            (d / f"{cid}.json").write_text(
                json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    print(sum(len(c) for c in GROUPS.values()), "cases in", len(GROUPS), "groups")


if __name__ == "__main__":
    main()
