"""System checks of the reimbursement app: which engine runs (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Info, Warning, register

from reimburse import compiled_engine


@register()
def engine_build(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Say that the compiled engine runs, or warn that it was asked for but does not."""
    asked = compiled_engine.wanted()
    running = compiled_engine.RUNNING
    if running == "compiled":
        return [Info(f"The compiled engine runs ({compiled_engine.BUILD}).", id="reimburse.I001")]
    if asked == "compiled":
        return [
            Warning(
                f"{compiled_engine.ENV}=compiled, but the pure-Python engine runs: "
                f"{running.removeprefix('python (').removesuffix(')')}.",
                hint="Run `make compile` on this machine and restart.",
                id="reimburse.W001",
            )
        ]
    return []
