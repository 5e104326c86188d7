"""The Merkle tree against the RFC's own recursive definition, published vectors, and tampering."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.errors import InvalidInput
from consentry.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# The leaves and tree heads of the Certificate Transparency reference implementations' tests
# (RFC 6962 trees, unchanged in RFC 9162), used here as data.
CT_DATA = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]]
CT_ROOTS = [bytes.fromhex(h) for h in [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]
CT_INCLUSION = {  # (index, tree size) -> audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
CT_CONSISTENCY = {  # (old size, new size) -> consistency proof
    (2, 8): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def mth(entries: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, written as the RFC writes it: the reference the fast code must match."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(entries[:k]) + mth(entries[k:])).digest()


def leaves(size: int, salt: int = 0) -> list[bytes]:
    """Distinct leaves, so a proof for one leaf can never be honestly valid for another."""
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(size)]


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_published_roots() -> None:
    hashes = [leaf_hash(d) for d in CT_DATA]
    assert [root_hash(hashes[:n]) for n in range(9)] == CT_ROOTS
    assert CT_ROOTS[0] == EMPTY_ROOT


def test_published_proofs() -> None:
    hashes = [leaf_hash(d) for d in CT_DATA]
    for (index, size), want in CT_INCLUSION.items():
        proof = inclusion_proof(hashes[:size], index)
        assert proof == [bytes.fromhex(h) for h in want]
        assert verify_inclusion(hashes[index], index, size, proof, CT_ROOTS[size])
    for (old, new), want in CT_CONSISTENCY.items():
        proof = consistency_proof(hashes[:new], old)
        assert proof == [bytes.fromhex(h) for h in want]
        assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], proof)


@given(st.lists(st.binary(max_size=12), max_size=300))
def test_root_matches_the_rfc_definition(entries: list[bytes]) -> None:
    assert root_hash([leaf_hash(e) for e in entries]) == mth(entries)


def test_every_proof_in_small_trees_verifies() -> None:
    hashes = leaves(40)
    roots = [root_hash(hashes[:n]) for n in range(41)]
    for new in range(41):
        for index in range(new):
            proof = inclusion_proof(hashes[:new], index)
            assert verify_inclusion(hashes[index], index, new, proof, roots[new])
        for old in range(new + 1):
            proof = consistency_proof(hashes[:new], old)
            assert verify_consistency(old, new, roots[old], roots[new], proof)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.data())
def test_inclusion_proof_verifies_and_nothing_else_does(size: int, data: st.DataObject) -> None:
    hashes = leaves(size)
    root = root_hash(hashes)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(hashes, index)
    assert verify_inclusion(hashes[index], index, size, proof, root)

    assert not verify_inclusion(leaf_hash(b"not in the log"), index, size, proof, root)
    assert not verify_inclusion(hashes[index], index, size, proof, flip(root))
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="other")
        assert not verify_inclusion(hashes[other], index, size, proof, root)
        assert not verify_inclusion(hashes[index], other, size, proof, root)
        assert not verify_inclusion(hashes[index], index, size, [flip(proof[0]), *proof[1:]], root)
        assert not verify_inclusion(hashes[index], index, size, proof[:-1], root)
        assert not verify_inclusion(hashes[index], index, size, [*proof, proof[-1]], root)
    # A size with a differently shaped path is refused; one with the same shape cannot be told
    # apart by the verifier, which is why a checkpoint signs size and root together.
    wrong_size = data.draw(st.integers(0, 400).filter(lambda n: n != size), label="wrong size")
    if wrong_size <= index or len(inclusion_proof(leaves(wrong_size), index)) != len(proof):
        assert not verify_inclusion(hashes[index], index, wrong_size, proof, root)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 300), st.data())
def test_consistency_proof_verifies_and_tampering_fails(new: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(1, new - 1) if new > 1 else st.just(1), label="old")
    hashes = leaves(new)
    old_root, new_root = root_hash(hashes[:old]), root_hash(hashes)
    proof = consistency_proof(hashes, old)
    assert verify_consistency(old, new, old_root, new_root, proof)

    assert not verify_consistency(old, new, flip(old_root), new_root, proof)
    assert not verify_consistency(old, new, old_root, flip(new_root), proof)
    assert not verify_consistency(old, new, root_hash(leaves(old, salt=1)), new_root, proof)
    if old == new:
        assert proof == []
        return
    assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, new, old_root, new_root, proof[1:])
    assert not verify_consistency(old, new, old_root, new_root, [*proof, proof[-1]])
    if len(proof) > 1:
        assert not verify_consistency(old, new, old_root, new_root, proof[::-1])
        swapped = [proof[1], proof[0], *proof[2:]]
        assert not verify_consistency(old, new, old_root, new_root, swapped)


def test_degenerate_consistency() -> None:
    hashes = leaves(5)
    root = root_hash(hashes)
    assert consistency_proof(hashes, 0) == consistency_proof(hashes, 5) == []
    assert verify_consistency(0, 5, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 5, root, root, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root, [root])
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, flip(root), [])
    assert not verify_consistency(5, 5, root, root, [root])
    assert not verify_consistency(5, 3, root, root, [])
    assert not verify_consistency(3, 5, root_hash(hashes[:3]), root, [])


def test_malformed_input() -> None:
    hashes = leaves(4)
    root = root_hash(hashes)
    proof = inclusion_proof(hashes, 1)
    assert not verify_inclusion(hashes[1][:31], 1, 4, proof, root)
    assert not verify_inclusion(hashes[1], 1, 4, [proof[0][:31], *proof[1:]], root)
    assert not verify_inclusion(hashes[1], -1, 4, proof, root)
    assert not verify_inclusion(hashes[1], 4, 4, proof, root)
    for bad in (-1, 4):
        with pytest.raises(InvalidInput):
            inclusion_proof(hashes, bad)
    for bad in (-1, 5):
        with pytest.raises(InvalidInput):
            consistency_proof(hashes, bad)
    with pytest.raises(InvalidInput):
        root_hash([b"short"])
