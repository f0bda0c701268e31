"""A sweep's sensitivities as a reader takes them in: each input by its name (docs/uncertainty.md,
"Sensitivity"), and a correlation within the noise band of the draws (|rho| < 2/√N) marked so."""

from __future__ import annotations

OUTPUTS = {"readiness": "readiness date (later = positive)", "total_cost": "total cost"}


def sensitivity_lines(headline: dict, top: int = 5) -> list[str]:
    """Per output, its strongest inputs by name with rho, '(noise)' where |rho| < 2/√N; then the band."""
    band = headline.get("noise_band")
    lines = []
    for output, rows in headline["top_sensitivities"].items():
        said = [
            f"{r.get('name') or r['input']} {r['rho']:+.2f}{' (noise)' if r.get('in_noise_band') else ''}"
            for r in rows[:top]
        ]
        lines.append(f"What moves the {OUTPUTS.get(output, output)} most (Spearman rho): " + "; ".join(said))
    if band is not None:
        lines.append(
            f"(noise): |rho| below 2/√N = {band:.2f} for N = {headline['draws'] - headline['failed_draws']} "
            "draws with a plan, which chance alone gives about one time in twenty"
        )
    return lines


def tornado_label(name: str, in_noise: bool, longest: int = 60) -> str:
    """A tornado bar's label: the input's name, cut to ``longest`` characters, '(noise)' when within the band."""
    mark = " (noise)" if in_noise else ""
    room = longest - len(mark)
    return (name if len(name) <= room else name[: room - 1] + "…") + mark
