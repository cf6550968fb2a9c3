"""The mistakes people make when they give or type a learner's details, each a function
that applies itself to a draft search, or says it cannot (no middle name to search by, a
day after the 12th that cannot swap with the month).

Each mistake is small and named, so that the benchmark can report which ones the matcher
survives, and so that two can be combined without either knowing about the other.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from open_lrs.core.postcodes import UNKNOWN_POSTCODE
from open_lrs.core.text import compact_name
from open_lrs.demo.population import Maker, Person, family_for, nicknames_of
from open_lrs.learners.rules import age_on


@dataclass(slots=True)
class Draft:
    given: str
    family: str
    dob: date
    gender: str | None
    postcode: str | None
    previous: str | None = None

    @classmethod
    def of(cls, p: Person) -> Draft:
        return cls(p.given_name, p.family_name, p.date_of_birth, p.gender, p.postcode)


Mistake = Callable[[Maker, Draft, Person], bool]  # applies itself to the draft, or says False

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")  # a slip hits a neighbouring key
_NEAR = {c: row[max(i - 1, 0) : i] + row[i + 1 : i + 2] for row in _ROWS for i, c in enumerate(row)}
_PLAIN = str.maketrans("łŁøØđĐı", "lLoOdDi")


def outward(postcode: str | None) -> str:
    return (postcode or "").partition(" ")[0]


def area_of(postcode: str) -> str:
    code = outward(postcode)
    return code[:2] if code[1:2].isalpha() else code[:1]


def strip_accents(name: str) -> str:
    """Siân as Sian, Łukasz as Lukasz: what a keyboard without accents records."""
    name = unicodedata.normalize("NFKD", name.translate(_PLAIN))
    return unicodedata.normalize("NFC", "".join(c for c in name if not unicodedata.combining(c)))


def _reformatted(rng: random.Random, name: str) -> str | None:
    """The same name written differently: no accents or apostrophe, Mc for Mac, case, spaces."""
    telling = [strip_accents(name), name.replace("'", ""), name.replace("'", " ")]
    telling += [name.replace("-", " "), name.replace("-", "")]
    if name.startswith("Mc"):
        telling.append("Mac" + name[2:])
    elif name.startswith("Mac") and name[3:4].isupper():
        telling.append("Mc" + name[3:])
    choices = [v for v in telling if v != name]
    if not choices or rng.random() < 0.3:
        plain = (name.upper(), name.lower(), f" {name}  ", name.replace(" ", "  "))
        choices = [v for v in rng.choices(plain, (5, 3, 1, 1), k=4) if v != name]
    return rng.choice(choices) if choices else None


def _formatting(m: Maker, d: Draft, p: Person) -> bool:
    if m.rng.random() < 0.5 and (given := _reformatted(m.rng, d.given)):
        d.given = given
    elif family := _reformatted(m.rng, d.family):
        d.family = family
    else:
        return False
    return True


def typo(rng: random.Random, name: str) -> str | None:
    """One slip of the keyboard (substitution, transposition, deletion or insertion), not on
    the first letter, in a name of four letters or more; None where there is none to make."""
    letters = [i for i, c in enumerate(name) if c.isascii() and c.isalpha()][1:]
    if len(compact_name(name)) < 4 or not letters:
        return None
    i = rng.choice(letters)
    c, kind = name[i], rng.choice(("substitution", "transposition", "deletion", "insertion"))
    near = rng.choice(_NEAR[c.lower()])
    if kind == "substitution":
        out = name[:i] + (near.upper() if c.isupper() else near) + name[i + 1 :]
    elif kind == "transposition":
        if i + 1 not in letters or name[i + 1].lower() == c.lower():
            return None
        out = name[:i] + name[i + 1] + c + name[i + 2 :]
    elif kind == "deletion":
        out = name[:i] + name[i + 1 :]
    else:
        out = name[:i] + rng.choice((c.lower(), near)) + name[i:]
    return out if compact_name(out) != compact_name(name) else None


def _typo_given(m: Maker, d: Draft, p: Person) -> bool:
    d.given = typo(m.rng, d.given) or ""
    return bool(d.given)


def _typo_family(m: Maker, d: Draft, p: Person) -> bool:
    d.family = typo(m.rng, d.family) or ""
    return bool(d.family)


def _nickname(m: Maker, d: Draft, p: Person) -> bool:
    forms = nicknames_of(compact_name(p.given_name))
    if forms:
        d.given = m.rng.choice(forms).capitalize()
    return bool(forms)


def _first_word(name: str) -> tuple[str, str]:
    """A given name's first word and what follows it ("Mary", "-Jane")."""
    for i, c in enumerate(name):
        if c in " -":
            return name[:i], name[i:]
    return name, ""


def _shortened_given(m: Maker, d: Draft, p: Person) -> bool:
    """The forename written as its first few letters, as people sign themselves: "Stu" for
    Stuart, "Ros" for Rosemary, "Adv" for Advaith, "Süm" for Sümerya (2 to 4 letters, at
    least two fewer than the name)."""
    word, _ = _first_word(d.given)
    n = m.rng.choice((2, 3, 3, 3, 4, 4))
    if len(word) < n + 2 or not word[:n].isalpha():
        return False
    d.given = word[:n]
    return True


def _short_name_slip(m: Maker, d: Draft, p: Person) -> bool:
    """A forename of 2 to 4 letters with two letters swapped or one dropped: "oJy" for Joy,
    "eBn" for Ben, "Dn" for Dan, "Oi" for Oni (the first letter as likely as any)."""
    name = d.given
    if not 2 <= len(name) <= 4 or not name.isalpha():
        return False
    i = m.rng.randrange(len(name) - 1)
    if len(name) > 2 and m.rng.random() < 0.5:
        out = name[:i] + name[i + 1 :]
    else:
        out = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    d.given = out
    return compact_name(out) != compact_name(name)


# Spellings that sound the same (Sophia, Sofia; Katie, Katy; Mohammed, Mohamed; Callum,
# Kallum; Aaliyah, Aliyah): (what is written, what it may be written as, where: any, start, end).
_RESPELLINGS = (
    ("ph", "f", "any"),
    ("f", "ph", "any"),
    ("ie", "y", "end"),
    ("y", "ie", "end"),
    ("ey", "y", "end"),
    ("i", "y", "any"),
    ("y", "i", "any"),
    ("c", "k", "start"),
    ("k", "c", "start"),
    ("ck", "k", "any"),
    ("aa", "a", "any"),
    ("ee", "i", "any"),
    ("ou", "u", "any"),
    ("u", "ou", "any"),
    ("th", "t", "any"),
    ("kh", "k", "any"),
    ("z", "s", "any"),
    ("s", "z", "any"),
    ("ai", "ay", "any"),
    ("ay", "ai", "any"),
    ("a", "ah", "end"),
    ("ah", "a", "end"),
)


def _inside(name: str, letters: str) -> int:
    """Where ``letters`` first occur after the first letter, not as half of a doubled letter
    (not the second f of Ffion: "Fphion" is nobody's spelling); -1 where they do not."""
    i = name.find(letters, 1)
    while i > 0:
        after = name[i + len(letters) : i + len(letters) + 1]
        if name[i - 1] != letters[0] and after != letters[-1]:
            return i
        i = name.find(letters, i + 1)
    return -1


def respelt(rng: random.Random, name: str) -> str | None:
    """The name spelt another way that sounds the same, or doubled or single letters
    (Hannah, Hanah; Jazmin, Jazzmin); None where no such spelling applies."""
    low = name.lower()
    choices = []
    for old, new, where in _RESPELLINGS:
        if where == "start" and low.startswith(old):
            choices.append(new + low[len(old) :])
        elif where == "end" and low.endswith(old) and len(low) > len(old) + 1:
            choices.append(low[: -len(old)] + new)
        elif where == "any" and (i := _inside(low, old)) > 0:
            choices.append(low[:i] + new + low[i + len(old) :])
    for i in range(1, len(low) - 1):
        if low[i] == low[i + 1] and low[i].isalpha():
            choices.append(low[:i] + low[i + 1 :])
        elif low[i] in "lnmrt" and low[i - 1] in "aeiou" and low[i + 1] in "aeiouy":
            choices.append(low[: i + 1] + low[i:])
    choices = [c for c in choices if c != low and c.isalpha()]
    if not choices:
        return None
    out = rng.choice(choices)
    return out.upper() if name.isupper() else out[:1].upper() + out[1:]


def _other_spelling(m: Maker, d: Draft, p: Person) -> bool:
    word, rest = _first_word(d.given)
    if not word.isascii() or not (out := respelt(m.rng, word)):
        return False
    d.given = out + rest
    return compact_name(d.given) != compact_name(p.given_name)


def _middle_name_only(m: Maker, d: Draft, p: Person) -> bool:
    d.given = p.middle_other_name or ""
    return bool(d.given)


def _given_with_middle(m: Maker, d: Draft, p: Person) -> bool:
    d.given = f"{p.given_name} {p.middle_other_name}" if p.middle_other_name else ""
    return bool(d.given)


def _dob_swapped(m: Maker, d: Draft, p: Person) -> bool:
    day, month = d.dob.day, d.dob.month
    if day > 12 or day == month:
        return False
    d.dob = d.dob.replace(month=day, day=month)
    return True


def _dob_one_digit(m: Maker, d: Draft, p: Person) -> bool:
    """One digit of YYYY-MM-DD mistyped (not the century, and not a whole year out)."""
    text = d.dob.isoformat()
    for _ in range(20):
        i = m.rng.choice((2, 3, 3, 5, 6, 8, 9, 9))
        try:
            born = date.fromisoformat(f"{text[:i]}{m.rng.choice('0123456789')}{text[i + 1 :]}")
        except ValueError:
            continue
        same_day = (born.month, born.day) == (d.dob.month, d.dob.day)
        if born != d.dob and not (same_day and abs(born.year - d.dob.year) == 1):
            d.dob = born
            return True
    return False


def _dob_year_off_by_one(m: Maker, d: Draft, p: Person) -> bool:
    if (d.dob.month, d.dob.day) == (2, 29):
        return False
    d.dob = d.dob.replace(year=d.dob.year + m.rng.choice((-1, 1)))
    return True


def _moved(m: Maker, d: Draft, p: Person) -> bool:
    """A new home: often a district of the same town, otherwise anywhere."""
    area = m.data.areas.get(area_of(p.postcode))
    for _ in range(20):
        if area and m.rng.random() < 0.5:
            postcode = m.postcode(area[3], known=True)
        else:
            postcode = m.home(p.background, known=True)[0]
        if outward(postcode) != outward(p.postcode):
            d.postcode = postcode
            return True
    return False


def _married(m: Maker, d: Draft, p: Person) -> bool:
    """Married since registering (the new name, with the old as previous), or registered
    under the married name and searched for under the maiden one."""
    if p.gender != "2" or age_on(p.date_of_birth, m.today) < 18:
        return False
    if p.previous_family_name:
        d.family = p.previous_family_name
        return True
    if m.rng.random() < 0.75:  # so that the rarer maiden-name case is well represented
        return False
    background = p.background if m.rng.random() < 0.8 else "english"
    spouse = family_for(m.family_name(background), "2", background, m.rng)
    if compact_name(spouse) == compact_name(p.family_name):
        return False
    d.family, d.previous = spouse, p.family_name
    return True


def _missing_postcode(m: Maker, d: Draft, p: Person) -> bool:
    d.postcode = m.rng.choice((None, UNKNOWN_POSTCODE))
    return p.postcode != UNKNOWN_POSTCODE


def _missing_gender(m: Maker, d: Draft, p: Person) -> bool:
    d.gender = m.rng.choice((None, "9"))
    return p.gender in ("1", "2")


def _names_swapped(m: Maker, d: Draft, p: Person) -> bool:
    d.given, d.family = d.family, d.given
    return compact_name(d.given) != compact_name(d.family)


MISTAKES: dict[str, Mistake] = {
    "formatting": _formatting,
    "typo_given": _typo_given,
    "typo_family": _typo_family,
    "nickname": _nickname,
    "shortened_given": _shortened_given,
    "short_name_slip": _short_name_slip,
    "other_spelling": _other_spelling,
    "middle_name_only": _middle_name_only,
    "given_with_middle": _given_with_middle,
    "dob_day_month_swapped": _dob_swapped,
    "dob_one_digit": _dob_one_digit,
    "dob_year_off_by_one": _dob_year_off_by_one,
    "moved": _moved,
    "married": _married,
    "missing_postcode": _missing_postcode,
    "missing_gender": _missing_gender,
    "names_swapped": _names_swapped,
}
# A combined search makes two mistakes from different groups (formatting goes last).
GROUPS = (
    (
        "typo_given",
        "nickname",
        "middle_name_only",
        "given_with_middle",
        "shortened_given",
        "short_name_slip",
        "other_spelling",
    ),
    ("typo_family", "married"),
    ("dob_day_month_swapped", "dob_one_digit", "dob_year_off_by_one"),
    ("moved", "missing_postcode"),
    ("missing_gender",),
    ("formatting",),
)
SIBLING_MISTAKES = ("formatting", "typo_family", "moved", "missing_postcode", "missing_gender")
