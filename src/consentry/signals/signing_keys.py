"""The keys that sign C2PA manifests: a local development chain, or keys production supplies.

The C2PA SDK only signs with an X.509 chain whose leaf is not a CA, carries keyUsage
digitalSignature and an extended key usage it recognises (emailProtection here), and is issued
by a separate root; a self-signed leaf is refused. The development chain is made to those rules
and says in its subject that no one should trust it.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from consentry.errors import SigningFailed

DEVELOPMENT_SUBJECT = "consentry development signer (not trusted)"
DEVELOPMENT_ROOT_SUBJECT = "consentry development root CA (not trusted)"
CHAIN_FILE = "c2pa-chain.pem"  # leaf first, then the root: the order the SDK expects
KEY_FILE = "c2pa-key.pem"
_ROOT_YEARS, _LEAF_YEARS = 10, 2


@dataclass(frozen=True)
class SigningCredentials:
    """A PEM chain (leaf first) and the leaf's PEM private key; plain bytes, so they can be
    loaded once and handed to every signing call."""

    chain_pem: bytes
    key_pem: bytes
    algorithm: str = "es256"
    timestamp_url: str | None = None

    @property
    def subject(self) -> str:
        """The leaf's common name, for logs and for the web layer to show who signs."""
        leaf = x509.load_pem_x509_certificates(self.chain_pem)[0]
        names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else leaf.subject.rfc4514_string()


def ensure_development_chain(directory: Path) -> SigningCredentials:
    """The development chain in ``directory``, made on first use and reused afterwards.

    An existing chain is never overwritten: files signed with it stay verifiable against the
    same certificate. Half a chain (one file without the other) is refused, not repaired.
    """
    chain_path, key_path = directory / CHAIN_FILE, directory / KEY_FILE
    if chain_path.exists() or key_path.exists():
        return load_signing_credentials(chain_path, key_path)
    directory.mkdir(parents=True, exist_ok=True)
    chain_pem, key_pem = _development_chain(datetime.datetime.now(datetime.UTC))
    _write_new(key_path, key_pem, 0o600)
    _write_new(chain_path, chain_pem, 0o644)
    return SigningCredentials(chain_pem, key_pem)


def load_signing_credentials(chain_path: Path, key_path: Path,
                             timestamp_url: str | None = None) -> SigningCredentials:
    """Keys supplied by production: checked here so that a wrong file fails at start-up,
    not at the first upload."""
    try:
        chain_pem, key_pem = chain_path.read_bytes(), key_path.read_bytes()
    except OSError as error:
        raise SigningFailed(f"cannot read the signing chain or key: {error.strerror}",
                           {"file": error.filename}) from error
    try:
        certificates = x509.load_pem_x509_certificates(chain_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SigningFailed(f"the signing chain or key is not valid PEM ({error})") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SigningFailed("the signing key must be an ECDSA P-256 key (ES256)")
    leaf_key = certificates[0].public_key()
    if leaf_key.public_bytes(*_SPKI) != key.public_key().public_bytes(*_SPKI):
        raise SigningFailed("the signing key does not belong to the first certificate of the "
                           "chain (the leaf must come first)")
    return SigningCredentials(chain_pem, key_pem, "es256", timestamp_url)


_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _development_chain(now: datetime.datetime) -> tuple[bytes, bytes]:
    root_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(DEVELOPMENT_ROOT_SUBJECT)
    root = (
        _base(root_name, root_name, root_key.public_key(), now, _ROOT_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        _base(_name(DEVELOPMENT_SUBJECT), root_name, leaf_key.public_key(), now, _LEAF_YEARS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, root))
    key = leaf_key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return chain, key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "consentry development")])


def _base(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
          now: datetime.datetime, years: int) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365 * years)))


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
                         decipher_only=False)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode`` from the start, so a key is never readable by others even
    for a moment, and fail rather than overwrite a file that appeared meanwhile."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
