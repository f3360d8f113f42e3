"""Cue texts in English and German, by fault / guidance code.

Fault codes are the contract's ``faults[].code``; guidance codes tell the person how to set up.
Texts are short imperatives a person can act on mid-rep.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Session languages.
LANGUAGES: tuple[str, ...] = ("en", "de")

#: code -> (English, German).
CUES: Mapping[str, tuple[str, str]] = {
    # lunge, side view
    "shallow_depth": ("Go lower: front knee to 90 degrees", "Tiefer: vorderes Knie auf 90 Grad"),
    "knee_past_toes": ("Keep your front knee over the ankle",
                       "Vorderes Knie über dem Knöchel halten"),
    "trunk_lean_forward": ("Chest up, don't lean forward", "Brust hoch, nicht nach vorne lehnen"),
    "trunk_lean_back": ("Stay upright, don't lean back", "Aufrecht bleiben, nicht zurücklehnen"),
    "hip_not_extended": ("Push your hips forward", "Becken nach vorne schieben"),
    "arched_back": ("Brace your abs, don't arch", "Bauch anspannen, kein Hohlkreuz"),
    # lunge, front view
    "knee_cave": ("Push your knee out over your toes", "Knie nach außen über die Zehen schieben"),
    "pelvis_not_level": ("Keep your hips level", "Becken gerade halten"),
    "narrow_stance": ("Feet hip-width apart, not on a line",
                      "Füße hüftbreit, nicht auf einer Linie"),
    # bridge, side view
    "low_bridge": ("Lift your hips higher", "Hüfte höher heben"),
    "overextended": ("Not so high: ribs down, hips in line",
                     "Nicht zu hoch: Rippen runter, Hüfte in Linie"),
    "feet_too_close": ("Move your feet a bit further away", "Füße etwas weiter weg stellen"),
    "feet_too_far": ("Bring your feet closer to your hips", "Füße näher ans Gesäß stellen"),
    "no_pause": ("Pause at the top and squeeze", "Oben kurz halten und anspannen"),
    # bridge, front view
    "hip_drop": ("Keep both hips at the same height", "Beide Hüften auf gleicher Höhe halten"),
    "knee_flare": ("Keep your knees hip-width apart", "Knie hüftbreit halten"),
    # guidance
    "no_person": ("Step into the picture", "Ins Bild treten"),
    "step_back": ("Step back so your whole body is visible",
                  "Zurücktreten, damit der ganze Körper zu sehen ist"),
    "turn_sideways": ("Turn sideways to the camera", "Seitlich zur Kamera drehen"),
    "face_camera": ("Face the camera squarely to have your knees checked",
                    "Gerade zur Kamera stehen, damit die Knie geprüft werden"),
    "unsteady": ("Hard to see you: more light or a clearer view, please",
                 "Schwer zu erkennen: bitte mehr Licht oder freie Sicht"),
    "camera_at_side": ("Hard to see you from here: put the camera at your side",
                       "Von hier schwer zu erkennen: Kamera seitlich aufstellen"),
    "get_into_position": ("Get into the start position", "In die Ausgangsposition gehen"),
    # praise
    "good_rep": ("Good rep", "Gute Wiederholung"),
}


def cue_text(code: str, lang: str = "en") -> str:
    """Text of cue ``code`` in ``lang`` ("en" or "de"); raises KeyError/ValueError if unknown."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return CUES[code][LANGUAGES.index(lang)]
