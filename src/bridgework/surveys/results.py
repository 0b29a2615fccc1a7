"""RC results of a wave: the database's answers in the long format, handed to the analysis.

Every figure comes from :func:`bridgework.analysis.rc.analyze_rc` (privacy pass inside, with
the wave's minimum group size) or :func:`bridgework.analysis.rc_compare.compare_waves`; this
module only gathers answers and fixes the settings, so the page, the print page and every
download show the same numbers (the bootstrap seed is the wave's id).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bridgework.analysis.privacy import min_group_size_in_force
from bridgework.analysis.rc import LONG_COLUMNS, RCAnalysis, RCSettings, analyze_rc
from bridgework.analysis.rc_compare import RCComparison, compare_waves
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.surveys.models import Response, Wave
from bridgework.surveys.selectors import previous_wave, wave_targets

#: Bootstrap replicates behind each confidence interval, and permutations behind p-values.
BOOTSTRAP = 1000
PERMUTATIONS = 1000


def wave_frame(wave: Wave) -> pd.DataFrame:
    """The wave's answers in the long format (one row per answer), respondents as opaque ids.

    Targets marked "I don't work with this group" are left out: that respondent does not rate
    that group. Respondents are labelled by invitation id, which never leaves the analysis.
    """
    names = {target.key: target.name for target in wave_targets(wave)}
    rows = list(
        Response.objects.filter(invitation__wave=wave, works_with=True).values_list(
            "invitation_id", "invitation__workgroup__name", "target", *DIMENSIONS
        )
    )
    wide = pd.DataFrame(
        rows, columns=["respondent_id", "respondent_workgroup", "target", *DIMENSIONS]
    )
    wide["target_workgroup"] = wide["target"].map(names)
    wide = wide[wide["target_workgroup"].notna()]
    wide["respondent_id"] = "r" + wide["respondent_id"].astype(str)
    long = wide.melt(
        id_vars=["respondent_id", "respondent_workgroup", "target_workgroup"],
        value_vars=list(DIMENSIONS),
        var_name="dimension",
        value_name="score",
    )
    long["score"] = pd.to_numeric(long["score"]).astype(float).fillna(np.nan)
    return long[list(LONG_COLUMNS)].reset_index(drop=True)


def settings_for(wave: Wave, *, bootstrap: int = BOOTSTRAP) -> RCSettings:
    return RCSettings(
        min_group_size=wave.min_group_size_in_force, bootstrap=bootstrap, seed=wave.pk
    )


def wave_analysis(wave: Wave) -> RCAnalysis | None:
    """Every RC figure of the wave through the privacy pass, or ``None`` without answers."""
    frame = wave_frame(wave)
    if frame.empty or frame["score"].notna().sum() == 0:
        return None
    return analyze_rc(frame, instrument=wave.instrument(), settings=settings_for(wave))


def wave_comparison(wave: Wave) -> tuple[Wave, RCComparison] | None:
    """The change from the previous wave of the same process (both through the privacy pass,
    with the stricter of the two minimum group sizes), or ``None``."""
    before = previous_wave(wave)
    if before is None:
        return None
    frames = []
    for label, one in ((before.name, before), (wave.name, wave)):
        frame = wave_frame(one)
        if frame.empty or frame["score"].notna().sum() == 0:
            return None
        frames.append(frame.assign(wave=label))
    settings = RCSettings(
        min_group_size=min_group_size_in_force(
            wave.min_group_size_in_force, before.min_group_size_in_force
        ),
        bootstrap=BOOTSTRAP,
        seed=wave.pk,
    )
    result = compare_waves(
        pd.concat(frames, ignore_index=True),
        before=before.name,
        after=wave.name,
        instrument=wave.instrument(),
        settings=settings,
        permutations=PERMUTATIONS,
    )
    return before, result
