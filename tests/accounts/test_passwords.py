"""The password rules (NIST SP 800-63B / ASVS) and argon2id hashing, as units."""

import unicodedata

import pytest

from kx.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    password_problems,
    verify_password,
)


def test_twelve_characters_is_the_minimum():
    assert MIN_LENGTH == 12
    assert password_problems("plum orchar") == ["Use at least 12 characters."]
    assert password_problems("plum orchard") == []


@pytest.mark.parametrize("length", [64, 65, 100, MAX_LENGTH])
def test_long_passwords_are_allowed(length):
    password = ("seven violet harbours " * 20)[:length]
    assert len(password) == length
    assert password_problems(password) == []


def test_an_absurdly_long_password_is_refused_to_bound_hashing_work():
    assert "at most" in " ".join(password_problems("x" * (MAX_LENGTH + 1)))


@pytest.mark.parametrize(
    "password",
    [
        "all lower case words only",
        "ALLUPPERCASEWORDS",
        "ßüñ çàfé grüße ünïcödé",
        "пароль очень длинный",
        "日本語のとても長いパスワードです",
        "🙂🙃🙂🙃🙂🙃🙂🙃🙂🙃🙂🙃",
        "tab\tand\nnewline and spaces",
        "\"quotes' <angle> & ;semicolons",
    ],
)
def test_any_characters_are_accepted_without_composition_rules(password):
    assert password_problems(password) == []
    assert verify_password(hash_password(password), password)


def test_unicode_is_compared_after_normalisation():
    composed = unicodedata.normalize("NFC", "café crème brûlée")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert verify_password(hash_password(composed), decomposed)


def test_the_common_password_list_is_large_and_enforced():
    assert len(common_passwords()) >= 10_000
    for password in ("qwerty123456", "QWERTY123456", "123456qwerty", "leavemealone"):
        assert password_problems(password) == [
            "This password is on a list of commonly used passwords."
        ]


def test_a_password_containing_the_email_local_part_is_refused():
    problems = password_problems("my name is jane.doe ok", "Jane.Doe@example.org")
    assert problems == ["Do not use your e-mail address in your password."]
    assert password_problems("my name is JANE.DOE ok", "jane.doe@example.org") == problems
    # a local part this short is part of too many ordinary words to forbid
    assert password_problems("joe jogged far away", "jo@example.org") == []


def test_a_password_containing_the_site_name_is_refused():
    assert password_problems("my KX passphrase 123", site_name="kx") == [
        "Do not use the site name (kx) in your password."
    ]
    assert password_problems("my exchange passphrase", site_name="exchange") != []


def test_several_problems_are_reported_together():
    problems = password_problems("kx jane", "jane@example.org", "kx")
    assert len(problems) == 3


def test_production_hashes_are_argon2id_with_rfc_9106_parameters(real_argon2):
    stored = hash_password("violet harbour lantern")
    # RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes (OWASP: >= 19 MiB)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "violet harbour lantern")
    assert not verify_password(stored, "violet harbour lanterns")


def test_hashes_are_argon2id_and_salted():
    first = hash_password("violet harbour lantern")
    second = hash_password("violet harbour lantern")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "violet" not in first


def test_verification_refuses_wrong_missing_and_broken_hashes():
    stored = hash_password("violet harbour lantern")
    assert verify_password(stored, "violet harbour lantern")
    assert not verify_password(stored, "violet harbour lanterns")
    assert not verify_password(stored, "")
    assert not verify_password(None, "violet harbour lantern")
    assert not verify_password("", "violet harbour lantern")
    assert not verify_password("not a hash", "violet harbour lantern")
