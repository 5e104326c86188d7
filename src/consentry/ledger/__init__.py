"""The tamper-evident log: an RFC 9162 Merkle tree and C2SP signed checkpoints over it."""
