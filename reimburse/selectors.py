"""Reads of the rule data that the records and the UI need."""

from __future__ import annotations

# Keys of the chronic list (Bijlage 1) that the simulate contract names; replaced by the
# dated table of the Dutch engine once it lands.
_CONTRACT_CHRONIC_KEYS = (
    "cva",
    "spinal_cord",
    "ms",
    "parkinson",
    "peripheral_nerve_motor",
    "motor_development_delay",
    "cerebellar",
    "muscle_disease",
    "myasthenia",
    "progressive_scoliosis",
    "juvenile_osteochondrosis",
    "amputation",
    "radicular_motor",
    "frozen_shoulder",
    "whiplash",
    "pelvic_instability_postpartum",
    "fracture_conservative",
    "post_operative",
    "lymphoedema",
    "pad_fontaine_3",
)


def chronic_conditions() -> tuple[str, ...]:
    """Return the keys of the Dutch chronic list a chronic episode may name."""
    return _CONTRACT_CHRONIC_KEYS
