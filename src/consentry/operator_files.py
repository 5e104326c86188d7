"""What the operator supplies beside the settings, loaded once at start: the chain that signs
downloads, the key that signs the log's checkpoints, and the crawler list in use."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.ledger.operator_key import load_operator_key
from consentry.settings import Settings
from consentry.signals.c2pa_manifest import check_credentials
from consentry.signals.crawlers import CrawlerRegistry, load_registry, with_search_engines
from consentry.signals.signing_keys import (
    CHAIN_FILE,
    KEY_FILE,
    SigningCredentials,
    load_signing_credentials,
)

# Installed by `consentry crawlers update`; replaces the list shipped with consentry.
CRAWLERS_FILE = "crawlers.json"


def download_signer(settings: Settings) -> SigningCredentials | None:
    """The chain that signs downloads: the configured one, else (outside production) the
    development chain `consentry init` made, else none (downloads are tagged, not signed).
    Checked by signing a tiny file, so a bad key stops the start instead of a download."""
    if settings.signing_chain and settings.signing_key:
        credentials = load_signing_credentials(settings.signing_chain, settings.signing_key)
    else:
        folder = settings.development_signing_dir
        if settings.environment == "production" or not (folder / CHAIN_FILE).exists():
            return None
        credentials = load_signing_credentials(folder / CHAIN_FILE, folder / KEY_FILE)
    check_credentials(credentials)
    return credentials


def log_signing_key(settings: Settings) -> Ed25519PrivateKey | None:
    """The key that signs checkpoints; outside production the development key, if made."""
    path = settings.effective_log_key
    if settings.log_key is None and not path.exists():
        return None
    return load_operator_key(path)


def crawler_registry(settings: Settings) -> CrawlerRegistry:
    """The operator's crawler list if one was installed, else the bundled one."""
    installed = Path(settings.data_dir) / CRAWLERS_FILE
    return with_search_engines(load_registry(installed if installed.exists() else None))
