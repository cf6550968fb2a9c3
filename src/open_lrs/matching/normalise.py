"""Names in the forms the matcher compares: folded words, a family-name key and phonetic codes.

Folding (``core.text``) removes case, accents, apostrophes and punctuation; on top of it the
family-name key spells every Mc as Mac (McDonald = MacDonald), and phonetic codes come from
jellyfish's Metaphone, with NYSIIS where Metaphone gives nothing and the folded word itself for
scripts that neither can code (a Chinese or Arabic name must only ever equal itself).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish

from open_lrs.core.text import compact_name, name_words


def words(name: str | None) -> tuple[str, ...]:
    """The folded words of a name; hyphens split ("Mary-Jane" is "mary", "jane")."""
    return tuple(name_words(name)) if name else ()


@lru_cache(maxsize=1 << 16)
def family_key(name: str | None) -> str:
    """The folded family name without spaces, with Mc spelt Mac."""
    key = compact_name(name) if name else ""
    return "mac" + key[2:] if key.startswith("mc") else key


@lru_cache(maxsize=1 << 16)
def phonetic(word: str) -> str:
    """A sound-alike code for a folded word ("siobhan" and "shevaun" differ; see nicknames)."""
    if not word.isascii() or not word.isalpha():
        return word
    return jellyfish.metaphone(word) or jellyfish.nysiis(word) or word


# English spellings of one sound, written one way: Epha and Efa, Katy and Katie, Hannah and
# Hana, Callum and Kalum, Neel and Nil, Lee and Li. Applied in order to a folded word.
_ONE_SPELLING = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"^c(?=[aou])"), "k"),
    (re.compile(r"(ie|ey|y)$"), "i"),
    (re.compile(r"y"), "i"),
    (re.compile(r"ah$"), "a"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"([a-z])\1"), r"\1"),
)


@lru_cache(maxsize=1 << 16)
def one_spelling(word: str) -> str:
    """A folded word with the spellings above made one ("epha" and "efa" are "efa")."""
    for pattern, replacement in _ONE_SPELLING:
        word = pattern.sub(replacement, word)
    return word
