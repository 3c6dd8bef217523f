"""Canonical JSON: one text for one value, the bytes the hash chain is computed over."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.canonical import (
    GENESIS_HASH,
    body_hash,
    canonical_json,
    chain_hash,
    sha256_hex,
)

# JSON values the journal may hold: no floats (times are integer ms, distances integer metres).
scalars = st.none() | st.booleans() | st.integers() | st.text()
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)
# The same, with no whitespace inside strings, so any whitespace in the output would be padding.
compact_scalars = st.none() | st.booleans() | st.integers() | st.text(
    alphabet=st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc")))
compact_values = st.recursive(
    compact_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(alphabet=st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc"))), children, max_size=4),
    max_leaves=20,
)


def reordered(value):
    """The same value with every dict's keys inserted in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        random.Random(len(items)).shuffle(items)
        items.reverse()
        return {key: reordered(item) for key, item in items}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def keys_in_order(text: str) -> bool:
    ordered = True

    def check(pairs):
        nonlocal ordered
        keys = [key for key, _ in pairs]
        ordered = ordered and keys == sorted(keys)
        return dict(pairs)

    json.loads(text, object_pairs_hook=check)
    return ordered


@settings(deadline=None)  # no timing assertions: a busy machine must not fail these
@given(json_values)
def test_canonical_text_parses_back_to_the_value(value):
    assert json.loads(canonical_json(value)) == value


@settings(deadline=None)
@given(json_values)
def test_equal_values_give_equal_text_whatever_the_key_order(value):
    assert canonical_json(reordered(value)) == canonical_json(value)


@settings(deadline=None)
@given(json_values)
def test_keys_are_sorted_at_every_level(value):
    assert keys_in_order(canonical_json(value))


@settings(deadline=None)
@given(compact_values)
def test_no_insignificant_whitespace(value):
    text = canonical_json(value)
    assert not any(ch.isspace() for ch in text)


def test_example_is_written_exactly():
    body = {"name": "Wojciech Kopeć", "aliases": ["Kopec"], "id": 3, "born": None, "ok": True}
    assert canonical_json(body) == '{"aliases":["Kopec"],"born":null,"id":3,"name":"Wojciech Kopeć","ok":true}'


def test_non_ascii_text_is_kept_as_utf8_not_escaped():
    assert canonical_json({"name": "Kopeć"}).encode("utf-8") == '{"name":"Kopeć"}'.encode("utf-8")


@pytest.mark.parametrize("value", [
    1.5, 0.0, float("nan"), float("inf"),
    {"time": 7531.4}, [1, 2, 3.0], {"outer": {"inner": [{"deep": 2.5}]}}, (1, 0.1),
])
def test_floats_are_rejected_anywhere(value):
    with pytest.raises(TypeError, match="floats are not allowed"):
        canonical_json(value)


@settings(deadline=None)
@given(json_values)
def test_a_tuple_and_a_list_of_the_same_items_give_the_same_text(value):
    assert canonical_json((value, 1)) == canonical_json([value, 1])


def test_sha256_hex_hashes_utf8_text_and_bytes_alike():
    assert sha256_hex("Kopeć") == hashlib.sha256("Kopeć".encode("utf-8")).hexdigest()
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_body_hash_is_the_sha256_of_the_utf8_body_wherever_its_pieces_are_cut():
    body = canonical_json({"name": "Wojciech Kopeć", "rows": [[1, "김혜성", None]]})
    whole = hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert body_hash([body]) == whole
    for cut in range(len(body) + 1):
        assert body_hash([body[:cut], body[cut:]]) == whole, cut
    assert body_hash(iter(body)) == whole


def test_genesis_hash_is_64_zeros():
    assert GENESIS_HASH == "0" * 64


def test_chain_hash_is_sha256_of_the_newline_joined_fields():
    body_sha256 = hashlib.sha256(b'{"a":1}').hexdigest()
    material = "\n".join([GENESIS_HASH, "1", "event", "2025-04-06T00:00:00+00:00", "tester", body_sha256])
    assert chain_hash(GENESIS_HASH, 1, "event", "2025-04-06T00:00:00+00:00", "tester", body_sha256) == \
        hashlib.sha256(material.encode("utf-8")).hexdigest()


FIELDS = [GENESIS_HASH, 1, "event", "2025-04-06T00:00:00+00:00", "tester", body_hash(["{}"])]
OTHERS = ["f" * 64, 2, "race", "2025-04-06T00:00:01+00:00", "someone-else", body_hash(["[]"])]


@pytest.mark.parametrize("field", range(len(FIELDS)))
def test_chain_hash_changes_when_any_field_changes(field):
    changed = [*FIELDS[:field], OTHERS[field], *FIELDS[field + 1:]]
    assert chain_hash(*changed) != chain_hash(*FIELDS)
