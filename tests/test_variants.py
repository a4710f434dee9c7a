"""Folding, tokenizing and variant keys (newsarc.names.variants): the rules that index and queries share."""

from __future__ import annotations

import pytest

from newsarc.names.variants import are_variants, fold_token, is_name_word, tokenize


@pytest.mark.parametrize(("written", "folded"), [
    ("Būkamāl", "bukamal"), ("Ba'ath", "baath"), ("Ba’ath", "baath"), ("Baʿath", "baath"), ("ÉLYSÉE", "elysee"),
    ("أحمد", "احمد"), ("إبراهيم", "ابراهيم"), ("مصطفى", "مصطفي"), ("حمزة", "حمزه"), ("جـمـال", "جمال"),
    ("مُحَمَّد", "محمد"), ("ШЕВЧЕНКО", "шевченко"), ("Straße", "strasse"),
])
def test_fold_token(written: str, folded: str) -> None:
    assert fold_token(written) == folded


def _texts(text: str, extras: bool = True) -> list[str]:
    return [t.text for t in tokenize(text, extras=extras)]


def test_hyphenated_names_give_parts_and_joined_word() -> None:
    assert _texts("al-Bukamal") == ["al", "bukamal", "albukamal"]
    assert _texts("alBukamal") == ["al", "bukamal", "albukamal"]
    assert _texts("al-Bukamal", extras=False) == ["al", "bukamal"]
    tokens = list(tokenize("Deir ez-Zor"))
    assert [(t.text, t.pos) for t in tokens] == [("deir", 0), ("ez", 1), ("zor", 2), ("ezzor", 2)]


def test_possessive_and_apostrophes() -> None:
    assert _texts("Assad's army and Ba'ath") == ["assad", "army", "and", "baath"]


def test_ordinary_words_that_look_like_articles_are_left_alone() -> None:
    # "as-yet" is not split into an article and a name: no word "yet" loses its own position
    assert _texts("as-yet at-risk Alan Almond") == ["as", "yet", "asyet", "at", "risk", "atrisk", "alan", "almond"]


def test_cjk_becomes_bigrams_and_arabic_loses_its_article() -> None:
    assert _texts("中华人民") == ["中华", "华人", "人民"]
    assert _texts("البوكمال") == ["البوكمال", "بوكمال"]


@pytest.mark.parametrize(("a", "b"), [
    ("Qamishli", "Kamishli"), ("Deir", "Dayr"), ("Zor", "Zour"), ("Zor", "Zawr"), ("Bukamal", "Bokamal"),
    ("Bukamal", "Albukamal"), ("Hezbollah", "Hizbullah"), ("Hizballah", "Hezbollah"), ("Muhammad", "Mohammed"),
    ("Mohamed", "Muhammad"), ("Raqqa", "Raqqah"), ("Raqqa", "Rakka"), ("Gaddafi", "Qaddafi"), ("Gadhafi", "Qaddafi"),
    ("Shevchenko", "Шевченко"), ("Chevtchenko", "Shevchenko"), ("Schewtschenko", "Shevchenko"), ("Kyiv", "Kiev"),
    ("Hussein", "Husayn"), ("Sheikh", "Shaykh"), ("Erbil", "Irbil"), ("Navalny", "Навальный"),
    ("Zelensky", "Zelenskyy"),
    ("Bukamal", "البوكمال"), ("Ahmadinejad", "Ahmadinezhad"), ("Nasrallah", "Nasrullah"), ("Koran", "Quran"),
    # German, French and Italian transliterations of Russian names (tsch/tch/ch, -ow/-ov, ci+vowel, j/y)
    ("Gorbachev", "Gorbatschow"), ("Gorbachev", "Gorbatchev"), ("Gorbachev", "Gorbaciov"),
    ("Khrushchev", "Chruschtschow"), ("Khrushchev", "Khrouchtchev"), ("Chernobyl", "Tschernobyl"),
    ("Chernobyl", "Chornobyl"), ("Yeltsin", "Jelzin"), ("Yeltsin", "Eltsin"),
    ("Jalalabad", "Dschalalabad"), ("Djibouti", "Dschibuti"), ("Jihad", "Dschihad"),  # German dsch = j
    # across scripts: ё is е, a Cyrillic case ending is not part of the name, Arabic ta marbuta is the final -a
    ("Gorbachev", "Горбачёв"), ("Горбачев", "Горбачёв"), ("Khrushchev", "Хрущёв"), ("Yeltsin", "Ельцин"),
    ("Erdogan", "Ердоганом"), ("Erdogan", "Ердоган"), ("Gorbachev", "Горбачева"), ("Erdogan", "أردوغان"),
    ("Misrata", "مصراتة"), ("Tehran", "طهران"), ("Teheran", "طهران"),
])
def test_variants(a: str, b: str) -> None:
    assert are_variants(a, b) and are_variants(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("Bashir", "Bashar"), ("Hassan", "Hussein"), ("Jordan", "Gordon"), ("Bill", "Ball"), ("Ben", "Bin"),
    ("Khamenei", "Khomeini"), ("Muhammad", "Mahmoud"), ("Zelensky", "Zelenska"), ("Irbil", "Irbid"),
    ("Kiev", "Kiel"), ("Hussein", "Husseini"), ("Michael", "Mitchell"), ("Wales", "Valleys"), ("Friday", "Freddie"),
    # an inserted vowel is the same name only on the archive's evidence (see test_search_variants_round2)
    ("Tehran", "Teheran"), ("Misrata", "Misurata"),
    ("Misrati", "مصراتة"), ("Tehrani", "طهران"), ("Gorbachev", "Gorbunov"), ("Chernobyl", "Chernov"),
    ("Erdogan", "Erdem"), ("Zelensky", "Зеленской"), ("Jamal", "Amal"), ("Moscow", "Moskva"), ("Jones", "Jenas"),
])
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert not are_variants(a, b)


def test_name_words() -> None:
    assert is_name_word("Raqqa") and is_name_word("الرقة")
    assert not is_name_word("raqqa") and not is_name_word("ISIS") and not is_name_word("F16")
