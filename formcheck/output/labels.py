"""The overlay's own words (panel labels, praise, fallback guidance) in each language.

Coaching cues come from the engine already translated; these are only the screen furniture
around them, kept in one typed table so a new language is one more entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.engine.types import Exercise, Side, View


@dataclass(frozen=True)
class Labels:
    """Overlay strings for one language."""

    reps: str
    left: str
    right: str
    hold: str
    good_rep: str
    step_in: str
    paused: str
    exercises: dict[Exercise, str]
    views: dict[View, str]
    front_leg: dict[Side, str]

    def exercise(self, exercise: Exercise) -> str:
        """Display name of an exercise."""
        return self.exercises[exercise]

    def view(self, view: View) -> str:
        """Display name of a camera view."""
        return self.views[view]


LABELS: dict[str, Labels] = {
    "en": Labels(
        reps="REPS", left="LEFT", right="RIGHT", hold="Hold", good_rep="Good rep!",
        step_in="Step into the frame", paused="PAUSED",
        exercises={Exercise.LUNGE: "Crescent lunge", Exercise.BRIDGE: "Glute bridge",
                   Exercise.UNKNOWN: "Waiting for an exercise"},
        views={View.SIDE: "side view", View.FRONT: "front view", View.OBLIQUE: "oblique view",
               View.UNKNOWN: "view unclear"},
        front_leg={Side.LEFT: "left leg front", Side.RIGHT: "right leg front",
                   Side.BOTH: "both legs", Side.UNKNOWN: ""},
    ),
    "de": Labels(
        reps="WDH.", left="LINKS", right="RECHTS", hold="Halten", good_rep="Gute Wiederholung!",
        step_in="Stell dich ins Bild", paused="PAUSE",
        exercises={Exercise.LUNGE: "Ausfallschritt (Crescent)",
                   Exercise.BRIDGE: "Beckenheben (Glute Bridge)",
                   Exercise.UNKNOWN: "Warte auf eine Übung"},
        views={View.SIDE: "Seitenansicht", View.FRONT: "Frontansicht",
               View.OBLIQUE: "Schrägansicht", View.UNKNOWN: "Ansicht unklar"},
        front_leg={Side.LEFT: "linkes Bein vorn", Side.RIGHT: "rechtes Bein vorn",
                   Side.BOTH: "beide Beine", Side.UNKNOWN: ""},
    ),
}

LANGUAGES: tuple[str, ...] = tuple(LABELS)


def labels_for(lang: str) -> Labels:
    """Labels of ``lang`` (``en`` or ``de``); raises ``KeyError`` for others."""
    return LABELS[lang]
